import { parseDocument } from 'yaml';

/** The host-port variable of the app's published port in the deploy compose file. */
export const APP_PORT_VARIABLE = 'HTTP_PORT';

/**
 * The plan's compose file made into the one berth deploys: the app runs the image just built (no
 * `build:` — the compose CLI must not build it again, without the base-image mapping), its host
 * port is `${HTTP_PORT}` for the ledger to fill, and berth, not compose, restarts it. The project
 * name is berth's too (`-p`), so the file names none.
 */
export function deployCompose(planCompose: string, image: string, port: number): string {
  const doc = parseDocument(planCompose);
  doc.delete('name');
  doc.deleteIn(['services', 'app', 'build']);
  doc.deleteIn(['services', 'app', 'restart']);
  doc.setIn(['services', 'app', 'image'], image);
  // An init as PID 1 forwards SIGTERM: node and busybox httpd ignore it as PID 1, and stops would wait 10 s.
  doc.setIn(['services', 'app', 'init'], true);
  doc.setIn(['services', 'app', 'ports'], doc.createNode([`\${${APP_PORT_VARIABLE}:-${port}}:${port}`]));
  doc.commentBefore = ` Deployed by berth: the app runs ${image}, beside its databases.`;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
