import type { Berth } from './berth.js';
import type { ViewContext } from './instance-view.js';

/** What the HTTP routes and the proxy share: berth itself and the ports the servers ended up on. */
export interface AppContext {
  berth: Berth;
  view: ViewContext;
  apiPort(): number;
}
