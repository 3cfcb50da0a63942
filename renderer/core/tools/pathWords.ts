/** The active tool path ('box.dragging') in words for the status bar (issue 17: it showed the state names). */

const STATE_WORDS: Readonly<Record<string, string>> = {
  idle: '',
  pointing: 'clicking',
  dragging: 'drawing a box',
  painting: 'painting',
  panning: 'panning',
};

/** 'points.idle' → 'Points'; 'eraser.painting' → 'Eraser: erasing'; unknown states are split into words. */
export function toolPathWords(path: string): string {
  const [tool = '', state = ''] = path.split('.');
  const name = tool.charAt(0).toUpperCase() + tool.slice(1);
  const words =
    tool === 'eraser' && state === 'painting'
      ? 'erasing'
      : (STATE_WORDS[state] ?? state.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`));
  return words ? `${name}: ${words}` : name;
}
