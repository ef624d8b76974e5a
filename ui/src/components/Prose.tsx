// A server sentence with its `quoted` names (keys, codes) set as code.
export function Prose({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`)/);
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p.slice(1, -1)}</code> : p))}</>;
}
