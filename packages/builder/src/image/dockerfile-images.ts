/** `FROM [--platform=…] image [AS name]`, the parts kept apart so only the image changes. */
const FROM = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i;
const STAGE_NAME = /\s+AS\s+(\S+)\s*$/i;

/** The images a Dockerfile's FROM lines name, in order, without references to its own stages. */
export function fromImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const m = FROM.exec(line);
    if (!m) continue;
    const image = m[2]!;
    if (!stages.has(image.toLowerCase()) && !images.includes(image)) images.push(image);
    const stage = STAGE_NAME.exec(m[3]!);
    if (stage) stages.add(stage[1]!.toLowerCase());
  }
  return images;
}

/** Replaces the images of FROM lines found in `replacements`; every other byte stays as it was. */
export function rewriteFromImages(dockerfile: string, replacements: Record<string, string>): string {
  return dockerfile
    .split('\n')
    .map((line) => {
      const m = FROM.exec(line);
      const to = m ? replacements[m[2]!] : undefined;
      return m && to !== undefined ? `${m[1]}${to}${m[3]}` : line;
    })
    .join('\n');
}
