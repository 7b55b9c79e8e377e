import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ConfigField } from '../api/types';
import { ConfigFieldInput } from './config-field-input';

function render(field: Partial<ConfigField>, value?: string | number): string {
  const full = { type: 'string', required: false, secret: false, ...field } as ConfigField;
  return renderToStaticMarkup(
    createElement(ConfigFieldInput, {
      name: 'apikey',
      field: full,
      value,
      error: undefined,
      onChange: () => {},
    }),
  );
}

describe('ConfigFieldInput', () => {
  it('renders a field marked secret as a password input, whatever its type, never autofilled', () => {
    for (const type of ['string', 'number'] as const) {
      const html = render({ type, secret: true }, type === 'number' ? 1234 : 'typed');
      expect(html, type).toContain('type="password"');
      expect(html, type).toMatch(/autocomplete="new-password"/i);
    }
  });

  it('keeps plain fields as text and number inputs', () => {
    expect(render({ type: 'string' })).toContain('type="text"');
    expect(render({ type: 'number' })).toContain('type="number"');
  });
});
