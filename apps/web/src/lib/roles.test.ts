import { describe, expect, it } from 'vitest';
import { allows, needsRole } from './roles';

describe('allows', () => {
  it('orders read < operate < admin', () => {
    expect(allows('read', 'read')).toBe(true);
    expect(allows('read', 'operate')).toBe(false);
    expect(allows('operate', 'operate')).toBe(true);
    expect(allows('operate', 'admin')).toBe(false);
    expect(allows('admin', 'operate')).toBe(true);
    expect(allows('admin', 'admin')).toBe(true);
  });

  it('lets an unknown or missing role do nothing', () => {
    expect(allows(undefined, 'read')).toBe(false);
    expect(allows('root', 'read')).toBe(false);
    expect(allows('', 'read')).toBe(false);
  });

  it('names the role a control needs', () => {
    expect(needsRole('admin', 'Removing an instance')).toBe('Removing an instance needs the admin role');
  });
});
