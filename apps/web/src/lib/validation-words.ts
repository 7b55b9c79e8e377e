/**
 * The API's validation text as sentences for people: "querystring.from: must not be above to"
 * becomes "From must not be above To.", "Invalid input: expected string, received undefined" on
 * `body.name` becomes "Name is required.". Used at the field and in general notices alike.
 */

/** `body.config.url` → `config.url`: the field as the form knows it. */
export function fieldKey(path: string): string {
  return path.replace(/^(body|querystring|params|query)(\.|$)/, '');
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `from` → "From", `ports.http` → "Port http", `config.apiKey` → "apiKey", `` → "The request". */
export function fieldLabel(path: string): string {
  const key = fieldKey(path);
  if (!key) return 'The request';
  const parts = key.split('.');
  const last = parts[parts.length - 1] ?? key;
  if (parts[0] === 'ports' && parts.length === 2) return `Port ${last}`;
  if (parts[0] === 'config' || parts[0] === 'env') return last;
  return capital(last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
}

const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Required$/i, () => 'is required'],
  [/^Invalid input: expected \w+, received undefined$/, () => 'is required'],
  [/^Invalid input: expected (?:number|int), received (?:NaN|string)$/i, () => 'must be a number'],
  [/^Invalid input: expected (\w+), received \w+$/, (m) => `must be ${article(m[1] ?? '')}`],
  [/^Too small: expected string to have >=?1 characters?$/, () => 'is required'],
  [/^Too small: expected string to have >=?(\d+) characters?$/, (m) => `needs at least ${m[1]} characters`],
  [/^Too big: expected string to have <=?(\d+) characters?$/, (m) => `may have at most ${m[1]} characters`],
  [/^Too small: expected (?:number|int|bigint) to be >=(-?[\d.]+)$/, (m) => `must be at least ${m[1]}`],
  [/^Too small: expected (?:number|int|bigint) to be >(-?[\d.]+)$/, (m) => `must be more than ${m[1]}`],
  [/^Too big: expected (?:number|int|bigint) to be <=(-?[\d.]+)$/, (m) => `must be at most ${m[1]}`],
  [/^Too big: expected (?:number|int|bigint) to be <(-?[\d.]+)$/, (m) => `must be less than ${m[1]}`],
  [/^Too small: expected array to have >=?(\d+) items?$/, (m) => `needs at least ${m[1]}`],
  [/^Invalid option: expected one of (.+)$/, (m) => `must be one of ${choices(m[1] ?? '')}`],
  [/^Invalid input: expected (".+")$/, (m) => `must be ${choices(m[1] ?? '')}`],
  [
    /^Invalid (?:string|input): must (?:match|start with|end with|include)/,
    () => 'has a form berth does not take',
  ],
  [/^Invalid (?:url|URL)$/, () => 'must be a URL'],
  [/^Invalid (?:email|e-mail)(?: address)?$/i, () => 'must be an e-mail address'],
  [
    /^Unrecognized keys?: (.+)$/,
    (m) => `has a field berth does not know: ${choices(m[1] ?? '').replace(/ or /, ', ')}`,
  ],
  [/^Invalid input$/, () => 'is not valid'],
  // "must not be above to": the other field by its label
  [/^must not be (above|below|before|after) (\w+)$/, (m) => `must not be ${m[1]} ${capital(m[2] ?? '')}`],
];

function article(type: string): string {
  if (type === 'array') return 'a list';
  if (type === 'object') return 'a group of fields';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `"tcp"|"udp"` → `tcp or udp`. */
function choices(list: string): string {
  const items = list
    .split(/[|,]/)
    .map((s) => s.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
  return items.length > 1
    ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
    : (items[0] ?? '');
}

/** What is wrong, as the rest of a sentence that starts with the field: "is required". */
export function predicateOf(message: string): string {
  const m = message.trim();
  for (const [rule, words] of RULES) {
    const found = rule.exec(m);
    if (found) return words(found);
  }
  return m.charAt(0).toLowerCase() + m.slice(1);
}

/** One sentence for a field's problem: "From must not be above To.", "Name is required." */
export function fieldSentence(path: string, message: string): string {
  const sentence = `${fieldLabel(path)} ${predicateOf(message)}`;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * A message that is already a sentence of the API's (a domain error's), ended with a full stop and
 * capitalised when it starts with a plain word — never a field's own name (`env.1X: …`, `publicAddress …`).
 */
export function asSentence(message: string): string {
  const trimmed = message.trim();
  const m = /^[a-z]+[ ,]/.test(trimmed) ? capital(trimmed) : trimmed;
  return /[.!?]$/.test(m) ? m : `${m}.`;
}
