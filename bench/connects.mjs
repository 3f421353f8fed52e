// The connects the flow benchmarks start: spread over the sandbox's non-OAuth institutions,
// because Atrium refuses a second member with the same institution and credentials (409),
// a third each with no MFA, one MFA question and DELAYED. Built in Node, handed to the page.

const KINDS = ['password', 'challenge', 'DELAYED'];

/** A member's credentials for `form`: the test login, `password`, and plausible others. */
function fill(form, password) {
  let first = true;
  return form.map((f) => {
    if (f.type === 'LOGIN') return { guid: f.guid, value: 'test_atrium' };
    if (f.type === 'PASSWORD' && first) return (first = false), { guid: f.guid, value: password };
    if (f.type === 'OPTIONS') return { guid: f.guid, value: f.options[0].value };
    return { guid: f.guid, value: '1234' };
  });
}

/** `n` connect requests `{kind, member: {institution_code, credentials}}`; `get(path)` reads the sandbox with the key pair. */
export async function connects(get, n) {
  const { institutions } = await get('/institutions?records_per_page=100');
  const forms = [];
  for (const inst of institutions.filter((i) => !i.supports_oauth)) {
    forms.push([inst.code, (await get(`/institutions/${inst.code}/credentials`)).credentials]);
  }
  return Array.from({ length: n }, (_, i) => {
    const [code, form] = forms[i % forms.length];
    return { kind: KINDS[i % 3], member: { institution_code: code, credentials: fill(form, KINDS[i % 3]) } };
  });
}
