const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page a browser sees when the instance behind a proxy address cannot answer. */
export function badGatewayPage(reason: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>502 · berth</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}code{background:#f3f3f3;padding:.1em .3em}</style></head>
<body><h1>502 Bad Gateway</h1><p>${escapeHtml(reason)}</p>
<p>Start it with <code>berth start &lt;name&gt;</code>, or see <code>berth ps</code>.</p></body></html>
`;
}
