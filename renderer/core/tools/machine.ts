/** The set of tools and the current one; forwards events to the current tool's current state. */
import type { Tool, ToolKeyEvent, ToolPointerEvent } from './types.ts';

export class ToolMachine {
  private readonly tools = new Map<string, Tool>();
  private currentTool: Tool;
  private readonly listeners = new Set<() => void>();

  constructor(tools: readonly Tool[]) {
    for (const tool of tools) {
      this.tools.set(tool.id, tool);
      tool.subscribe(() => this.emit());
    }
    this.currentTool = tools[0]!;
  }

  get tool(): Tool {
    return this.currentTool;
  }

  get toolIds(): readonly string[] {
    return [...this.tools.keys()];
  }

  /** 'points.idle', 'box.dragging', … */
  get path(): string {
    return this.currentTool.path;
  }

  setTool(id: string): void {
    const next = this.tools.get(id);
    if (!next) throw new Error(`no tool ${id}`);
    if (next === this.currentTool) return;
    this.currentTool.reset();
    this.currentTool = next;
    this.emit();
  }

  pointerDown(e: ToolPointerEvent): void {
    this.currentTool.current.onPointerDown(e);
  }
  pointerMove(e: ToolPointerEvent): void {
    this.currentTool.current.onPointerMove(e);
  }
  pointerUp(e: ToolPointerEvent): void {
    this.currentTool.current.onPointerUp(e);
  }
  pointerLeave(): void {
    this.currentTool.current.onPointerLeave();
  }
  keyDown(e: ToolKeyEvent): boolean {
    return this.currentTool.current.onKeyDown(e);
  }
  keyUp(e: ToolKeyEvent): void {
    this.currentTool.current.onKeyUp(e);
  }
  cancel(): boolean {
    return this.currentTool.current.onCancel();
  }
  interrupt(): void {
    this.currentTool.reset();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
