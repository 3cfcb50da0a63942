/** View commands: fit, 1:1, zoom, the polygon view and its detail. */
import { MENU_SHORTCUTS } from '../../../electron/common/menuShortcuts.ts';
import { type EditorCommand, editorCommand, hasImage } from './editorCommand.ts';

// ── View ─────────────────────────────────────────────

const fit = editorCommand({
  id: 'view.fit',
  label: 'Fit image',
  group: 'View',
  shortcuts: MENU_SHORTCUTS['view.fit'],
  capture: 'never',
  available: hasImage,
  perform: (a) => a.view.fit(),
});

const actual = editorCommand({
  id: 'view.actualSize',
  label: 'Zoom 1:1',
  group: 'View',
  shortcuts: MENU_SHORTCUTS['view.actualSize'],
  capture: 'never',
  hint: 'One image pixel per screen pixel',
  available: hasImage,
  perform: (a) => a.view.actualSize(),
});

const zoomIn = editorCommand({
  id: 'view.zoomIn',
  label: 'Zoom in',
  group: 'View',
  shortcuts: ['=', '+'],
  capture: 'never',
  hint: 'Or the mouse wheel; hold Space and drag to pan',
  available: hasImage,
  perform: (a) => a.view.zoomBy(1.25),
});

const zoomOut = editorCommand({
  id: 'view.zoomOut',
  label: 'Zoom out',
  group: 'View',
  shortcuts: ['-'],
  capture: 'never',
  available: hasImage,
  perform: (a) => a.view.zoomBy(1 / 1.25),
});

const polygonView = editorCommand({
  id: 'view.polygons',
  label: 'Polygon view on/off',
  group: 'View',
  shortcuts: ['Y'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('polygonView', !a.view.polygonView),
});

const polygonCoarser = editorCommand({
  id: 'view.polygonCoarser',
  label: 'Polygon: less detail',
  group: 'View',
  shortcuts: ['{'],
  capture: 'never',
  available: (a) => a.view.polygonView,
  perform: (a) =>
    a.setOption('polygonTolerance', Math.min(20, +(a.view.polygonTolerance * 1.5 || 0.5).toFixed(2))),
});

const polygonFiner = editorCommand({
  id: 'view.polygonFiner',
  label: 'Polygon: more detail',
  group: 'View',
  shortcuts: ['}'],
  capture: 'never',
  available: (a) => a.view.polygonView,
  perform: (a) =>
    a.setOption(
      'polygonTolerance',
      a.view.polygonTolerance <= 0.5 ? 0 : +(a.view.polygonTolerance / 1.5).toFixed(2),
    ),
});

export const VIEW_COMMANDS: readonly EditorCommand[] = [
  fit,
  actual,
  zoomIn,
  zoomOut,
  polygonView,
  polygonFiner,
  polygonCoarser,
];
