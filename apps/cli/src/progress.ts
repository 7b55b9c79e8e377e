const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Shows a spinner on stderr while `work` runs — only when stderr is a terminal. */
export async function withProgress<T>(label: string, work: Promise<T>, stream = process.stderr): Promise<T> {
  if (!stream.isTTY) return work;
  let i = 0;
  const draw = () => stream.write(`\r${FRAMES[i++ % FRAMES.length]} ${label}`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  }
}
