// The two forms a person fills: an institution's (or member's) credentials, and one round of
// multi-factor challenges of any type (TEXT, TOKEN, OPTIONS, IMAGE_DATA, IMAGE_OPTIONS).
// Each returns { form, answers() }: answers() is null after it showed what is missing.
import { h, uid } from './dom.js';

function credentialInput(credential, id, t) {
  const type = String(credential.type ?? 'TEXT').toUpperCase();
  if (type === 'OPTIONS' && credential.options?.length) {
    return h(
      'select',
      { id, name: credential.guid, required: true, part: 'input' },
      h('option', { value: '', text: t('challenge.choose') }),
      credential.options.map((o) => h('option', { value: o.value ?? '', text: o.label ?? o.value ?? '' })),
    );
  }
  const autocomplete = { PASSWORD: 'current-password', LOGIN: 'username' }[type] ?? 'off';
  return h('input', {
    id,
    name: credential.guid,
    type: type === 'PASSWORD' ? 'password' : 'text',
    autocomplete,
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    part: 'input',
  });
}

function errorLine() {
  return h('p', { id: uid('error'), class: 'error', role: 'alert', part: 'error' });
}

/**
 * Marks `controls` as what the error line speaks of: invalid, and described by it, so that a
 * screen reader reads the error again on reaching them. With none, every mark goes.
 */
function flag(form, error, controls = []) {
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
  for (const control of controls) {
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', error.id);
  }
}

/** A credentials form, fields in display order. */
export function credentialForm(credentials, { submit, t }) {
  const sorted = [...credentials].sort((a, b) => (a.display_order ?? 0) - (b.display_order ?? 0));
  const fields = sorted.map((credential) => {
    const id = uid('credential');
    const label = credential.label ?? credential.field_name ?? credential.guid;
    return h('div', { class: 'field', part: 'field' }, h('label', { for: id, part: 'label', text: label }), credentialInput(credential, id, t));
  });
  const error = errorLine();
  const form = h('form', { novalidate: true, part: 'form' }, fields, error, h('button', { type: 'submit', part: 'button', text: submit }));
  return {
    form,
    error,
    answers() {
      const inputs = [...form.querySelectorAll('[name]')];
      const missing = inputs.find((input) => !input.value.trim());
      if (missing) {
        const label = form.querySelector(`label[for="${missing.id}"]`)?.textContent ?? '';
        error.textContent = t('credentials.missing', { label });
        flag(form, error, [missing]);
        missing.focus();
        return null;
      }
      error.textContent = '';
      flag(form, error);
      return inputs.map((input) => ({ guid: input.name, value: input.value }));
    },
  };
}

/** Atrium sends an IMAGE_DATA challenge's image as bare base64 (PNG) or as a data URI. */
const imageSource = (data) => (data.startsWith('data:') ? data : `data:image/png;base64,${data}`);

function choices(challenge, type, label) {
  const list = type === 'OPTIONS' ? challenge.options : challenge.image_options;
  return h(
    'fieldset',
    // A radiogroup (not the implicit group) can be marked invalid.
    { part: 'field', role: 'radiogroup', 'data-guid': challenge.guid },
    h('legend', { part: 'label', text: label }),
    list.map((choice) => {
      const id = uid('choice');
      const image = type === 'IMAGE_OPTIONS' && choice.data_uri ? h('img', { src: choice.data_uri, alt: '', width: 96, height: 64 }) : null;
      return h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', id, name: challenge.guid, value: choice.value ?? '', required: true, part: 'input' }),
        h('label', { for: id }, image, h('span', { text: choice.label ?? choice.value ?? '' })),
      );
    }),
  );
}

function challengeField(challenge, t) {
  const type = String(challenge.type ?? 'TEXT').toUpperCase();
  const label = challenge.label ?? challenge.field_name ?? challenge.guid;
  if ((type === 'OPTIONS' && challenge.options?.length) || (type === 'IMAGE_OPTIONS' && challenge.image_options?.length)) {
    return choices(challenge, type, label);
  }
  const id = uid('answer');
  const image =
    type === 'IMAGE_DATA' && challenge.image_data
      ? h('img', { class: 'challenge-image', part: 'challenge-image', src: imageSource(challenge.image_data), alt: t('challenge.image', { label }), width: 160, height: 64 })
      : null;
  return h(
    'div',
    { class: 'field', part: 'field', 'data-guid': challenge.guid },
    image,
    h('label', { for: id, part: 'label', text: label }),
    h('input', {
      id,
      name: challenge.guid,
      type: 'text',
      required: true,
      autocomplete: type === 'TOKEN' ? 'one-time-code' : 'off',
      inputmode: type === 'TOKEN' ? 'numeric' : null,
      autocapitalize: 'none',
      spellcheck: 'false',
      part: 'input',
    }),
  );
}

/** One round of challenges. */
export function challengeForm(challenges, { t }) {
  const error = errorLine();
  const form = h(
    'form',
    { novalidate: true, part: 'form' },
    challenges.map((c) => challengeField(c, t)),
    error,
    h('button', { type: 'submit', part: 'button', text: t('challenge.submit') }),
  );
  return {
    form,
    error,
    answers() {
      const answers = [];
      for (const challenge of challenges) {
        const controls = [...form.querySelectorAll(`[name="${CSS.escape(challenge.guid)}"]`)];
        const value = controls.find((c) => c.type !== 'radio' || c.checked)?.value.trim();
        if (!value) {
          error.textContent = t('challenge.missing');
          // A choice is marked as a whole; a text answer on its input.
          const group = controls[0]?.closest('fieldset');
          flag(form, error, group ? [group] : controls);
          (controls[0] ?? form).focus();
          return null;
        }
        answers.push({ guid: challenge.guid, value });
      }
      error.textContent = '';
      flag(form, error);
      return answers;
    },
  };
}
