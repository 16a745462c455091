// The page's settings as a declarative table: each property has a type, a default and bounds.
// The URL query is serialised from and restored through this table, so a shared link reproduces a
// run (the seed is part of it). Bad values fall back to defaults and are reported.

export const PROPERTIES = [
  { name: 'space', type: 'enum', values: ['nb201', 'fbnet'], default: 'nb201' },
  { name: 'device', type: 'string', default: 'pixel3' },
  { name: 'metric', type: 'enum', values: ['latency', 'energy'], default: 'latency' },
  { name: 'threshold', type: 'number', min: 0, exclusiveMin: true, default: null },
  { name: 'population', type: 'int', min: 2, max: 200, default: 12 },
  { name: 'generations', type: 'int', min: 1, max: 200, default: 6 },
  { name: 'seed', type: 'int', min: 0, max: 2 ** 31 - 1, default: 0 },
  { name: 'steps', type: 'int', min: 0, max: 500, default: 20 },
  { name: 'batch', type: 'enum', values: ['cifar10-and-100', 'cifar10'], default: 'cifar10-and-100' },
  { name: 'lambda', type: 'number', min: 0, max: 100, default: 0.1 },
  { name: 'penalty', type: 'enum', values: ['two-sided', 'hinge'], default: 'two-sided' },
  { name: 'workers', type: 'int', min: 1, max: 32, default: null },
  { name: 'autorun', type: 'bool', default: false },
  { name: 'embed', type: 'bool', default: false },
];

export function defaults() {
  return Object.fromEntries(PROPERTIES.map((p) => [p.name, p.default]));
}

function parseValue(p, raw) {
  switch (p.type) {
    case 'enum':
      return p.values.includes(raw) ? raw : undefined;
    case 'string':
      return /^[a-z0-9_-]{1,32}$/i.test(raw) ? raw : undefined;
    case 'bool':
      return raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined;
    case 'int':
    case 'number': {
      if (raw.trim() === '') return undefined;
      const v = Number(raw);
      if (!Number.isFinite(v) || (p.type === 'int' && !Number.isInteger(v))) return undefined;
      if (p.min !== undefined && (v < p.min || (p.exclusiveMin && v === p.min))) return undefined;
      if (p.max !== undefined && v > p.max) return undefined;
      return v;
    }
  }
  return undefined;
}

/** Reads settings from a query string: { state, errors } with errors naming each bad parameter. */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const state = defaults();
  const errors = [];
  for (const p of PROPERTIES) {
    if (!params.has(p.name)) continue;
    const raw = params.get(p.name);
    const v = parseValue(p, raw);
    if (v === undefined) errors.push(`bad value for ${p.name}: "${raw}" (using the default)`);
    else state[p.name] = v;
  }
  const known = new Set(PROPERTIES.map((p) => p.name));
  for (const key of params.keys()) if (!known.has(key)) errors.push(`unknown parameter "${key}" ignored`);
  return { state, errors };
}

/** Serialises settings that differ from the defaults (autorun is never written back). */
export function toQuery(state) {
  const params = new URLSearchParams();
  for (const p of PROPERTIES) {
    const v = state[p.name];
    if (p.name === 'autorun' || v === null || v === undefined || v === p.default) continue;
    params.set(p.name, p.type === 'bool' ? (v ? '1' : '0') : String(v));
  }
  return params.toString();
}
