import type { BulkActionBody, BulkActionResponse } from '@berth/contracts';
import { request } from './http';

export type BulkAction = BulkActionBody['action'];

/**
 * One action on several instances (`POST /instances/actions`), each answering for itself once it
 * has settled (a start once ready, or why not), as the CLI's lines do.
 */
export function bulkAction(action: BulkAction, names: string[]): Promise<BulkActionResponse> {
  return request<BulkActionResponse>('POST', '/instances/actions', {
    body: { action, names },
    query: { wait: 1 },
  });
}
