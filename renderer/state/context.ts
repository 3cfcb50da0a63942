/** Typed contexts: the app's state objects, created once in App.svelte and read by components. */
import { createContext } from 'svelte';
import type { AnnotatorState } from './annotator.svelte.ts';
import type { AppState } from './app.svelte.ts';
import type { ImagesState } from './images.svelte.ts';
import type { ReviewState } from './review.svelte.ts';
import type { StatsState } from './stats.svelte.ts';
import type { Workspace } from './workspace.svelte.ts';

export const [getApp, setApp] = createContext<AppState>();
export const [getImages, setImages] = createContext<ImagesState>();
export const [getAnnotator, setAnnotator] = createContext<AnnotatorState>();
export const [getWorkspace, setWorkspace] = createContext<Workspace>();
export const [getReview, setReview] = createContext<ReviewState>();
export const [getStats, setStats] = createContext<StatsState>();
