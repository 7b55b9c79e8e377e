import type { FastifyInstance } from 'fastify';

/**
 * The web UI's policy: its own scripts, styles and API only — no inline script or `<style>`, no
 * plugins, not framed, forms and `<base>` pinned. React's `style={{…}}` goes through the CSSOM,
 * which this allows.
 */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Swagger UI at /api/docs sets inline styles from its scripts; everything else stays as strict. */
export const DOCS_CSP = UI_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

const SAME_FOR_ALL = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/**
 * Security headers on every answer of the API port (UI files, API, docs). Instance content never
 * passes here: it is served only by the proxy port, which adds nothing to an instance's answers.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply) => {
    reply.headers(SAME_FOR_ALL);
    const docs = req.url === '/api/docs' || req.url.startsWith('/api/docs/');
    reply.header('content-security-policy', docs ? DOCS_CSP : UI_CSP);
  });
}
