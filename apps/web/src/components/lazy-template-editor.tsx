import { type ComponentProps, lazy, Suspense } from 'react';
import { Skeleton } from './skeleton';

const Editor = lazy(() => import('./template-editor').then((m) => ({ default: m.TemplateEditor })));

/** The template editor and its YAML parser load when it opens: the other pages never carry them. */
export function LazyTemplateEditor(props: ComponentProps<typeof Editor>) {
  return (
    <Suspense fallback={<Skeleton height={240} label="Loading the editor" />}>
      <Editor {...props} />
    </Suspense>
  );
}
