// @ts-check
// The forms the guide asks a person to fill: an institution's or a member's credentials, and
// a multi-factor challenge of any type. Each returns its element and a way to read answers.
import { el } from './ui.js';

/** The sandbox's test passwords (README, "Test logins") worth offering in the demo. */
const SANDBOX_LOGINS = [
  ['password', 'connects, no questions'],
  ['challenge', 'a text question (answer "challenge" for a second round, then "correct")'],
  ['options', 'a multiple-choice question'],
  ['image', 'an image to read'],
  ['image_options', 'choose an image'],
  ['token', 'a one-time code'],
  ['INVALID', 'refused, then fixed by new credentials'],
  ['DELAYED', 'slow, then connects'],
  ['LOCKED', 'locked at the bank'],
  ['BIG_10K', '10,000 transactions'],
];

/** What both forms offer their caller besides their answers: an error line and a busy state. */
function feedback(form, error) {
  return {
    setError(text) {
      error.textContent = text;
    },
    setBusy(busy) {
      for (const control of form.querySelectorAll('input, select, button')) control.disabled = busy;
    },
  };
}

let fieldSeq = 0;
const fieldId = () => `f${++fieldSeq}`;

function inputFor(credential, id) {
  const type = (credential.type ?? 'TEXT').toUpperCase();
  if (type === 'OPTIONS' && credential.options?.length) {
    return el(
      'select',
      { id, name: credential.guid, required: true },
      el('option', { value: '', text: 'Choose…' }),
      credential.options.map((o) => el('option', { value: o.value ?? '', text: o.label ?? o.value ?? '' })),
    );
  }
  return el('input', {
    id,
    name: credential.guid,
    type: type === 'PASSWORD' ? 'password' : 'text',
    autocomplete: type === 'PASSWORD' ? 'current-password' : type === 'LOGIN' ? 'username' : 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    'data-kind': type,
  });
}

/**
 * A form of `credentials` (an institution's or a member's), in display order. `sandbox`
 * adds the test logins as hints that fill the form. Resolves nothing itself: the caller
 * listens for `submit` and reads `answers()`.
 */
export function credentialForm(credentials, { submitLabel, sandbox }) {
  const sorted = [...credentials].sort((a, b) => (a.display_order ?? 0) - (b.display_order ?? 0));
  const fields = sorted.map((credential) => {
    const id = fieldId();
    return el('div', { class: 'field' }, el('label', { for: id, text: credential.label ?? credential.field_name ?? 'Field' }), inputFor(credential, id));
  });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'credentials', novalidate: true }, fields, error, el('button', { type: 'submit', text: submitLabel }));
  const inputs = () => [...form.querySelectorAll('[name]')];
  if (sandbox) {
    const fill = (password) => {
      const login = form.querySelector('[data-kind="LOGIN"]') ?? form.querySelector('input[type="text"]');
      const secret = form.querySelector('input[type="password"]');
      if (login) login.value = 'test_atrium';
      if (secret) secret.value = password;
      const select = form.querySelector('select');
      if (select && !select.value && select.options.length > 1) select.selectedIndex = 1;
      form.querySelector('button[type="submit"]').focus();
    };
    form.append(
      el(
        'details',
        { class: 'hints' },
        el('summary', { text: 'Sandbox test logins' }),
        el('p', { text: 'Username test_atrium with one of these passwords:' }),
        el(
          'ul',
          {},
          SANDBOX_LOGINS.map(([password, what]) =>
            el(
              'li',
              {},
              el('button', { type: 'button', class: 'link', onclick: () => fill(password), 'aria-label': `Use password ${password}: ${what}` }, el('code', { text: password })),
              ` ${what}`,
            ),
          ),
        ),
      ),
    );
  }
  return {
    form,
    /** The answers, or null after showing what is missing. */
    answers() {
      const missing = inputs().find((input) => !input.value.trim());
      if (missing) {
        error.textContent = `Please fill in ${form.querySelector(`label[for="${missing.id}"]`)?.textContent ?? 'every field'}.`;
        missing.focus();
        return null;
      }
      error.textContent = '';
      return inputs().map((input) => ({ guid: input.name, value: input.value }));
    },
    ...feedback(form, error),
  };
}

/** The image of an `IMAGE_DATA` challenge: Atrium sends bare base64, assumed PNG. */
const imageSource = (data) => (data.startsWith('data:') ? data : `data:image/png;base64,${data}`);

function challengeField(challenge) {
  const type = (challenge.type ?? 'TEXT').toUpperCase();
  const label = challenge.label ?? challenge.field_name ?? 'Your answer';
  if ((type === 'OPTIONS' && challenge.options?.length) || (type === 'IMAGE_OPTIONS' && challenge.image_options?.length)) {
    const choices = type === 'OPTIONS' ? challenge.options : challenge.image_options;
    return el(
      'fieldset',
      { class: `choices ${type === 'IMAGE_OPTIONS' ? 'images' : ''}`, 'data-guid': challenge.guid },
      el('legend', { text: label }),
      choices.map((choice) => {
        const id = fieldId();
        return el(
          'div',
          { class: 'choice' },
          el('input', { type: 'radio', id, name: challenge.guid, value: choice.value ?? '', required: true }),
          el(
            'label',
            { for: id },
            type === 'IMAGE_OPTIONS' && choice.data_uri ? el('img', { src: choice.data_uri, alt: '', width: 96, height: 64 }) : null,
            el('span', { text: choice.label ?? choice.value ?? '' }),
          ),
        );
      }),
    );
  }
  const id = fieldId();
  return el(
    'div',
    { class: 'field', 'data-guid': challenge.guid },
    type === 'IMAGE_DATA' && challenge.image_data
      ? el('img', { class: 'challenge-image', src: imageSource(challenge.image_data), alt: `Image for: ${label}`, width: 160, height: 64 })
      : null,
    el('label', { for: id, text: label }),
    el('input', {
      id,
      name: challenge.guid,
      type: 'text',
      required: true,
      autocomplete: type === 'TOKEN' ? 'one-time-code' : 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
    }),
  );
}

/** The form of one round of challenges. */
export function challengeForm(challenges) {
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'challenge', novalidate: true },
    challenges.map(challengeField),
    error,
    el('button', { type: 'submit', text: 'Send answer' }),
  );
  return {
    form,
    answers() {
      const answers = [];
      for (const challenge of challenges) {
        const controls = [...form.querySelectorAll(`[name="${CSS.escape(challenge.guid)}"]`)];
        const chosen = controls.find((c) => c.type !== 'radio' || c.checked);
        const value = chosen?.value.trim();
        if (!value) {
          error.textContent = 'Please answer every question.';
          (controls[0] ?? form).focus();
          return null;
        }
        answers.push({ guid: challenge.guid, value });
      }
      error.textContent = '';
      return answers;
    },
    ...feedback(form, error),
  };
}
