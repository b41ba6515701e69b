// Covers electron/platform/first-frame.ts: the saved language and theme written on index.html's
// <html>, so the static first frame is painted in them before any script runs.
import { describe, expect, it } from 'vitest';
import { acceptedLanguages, firstFrameOf, withFirstFrame } from '../../electron/platform/first-frame';

describe('the first frame', () => {
  it('takes a chosen language and theme as saved, and "system" from the system', () => {
    expect(firstFrameOf({ locale: 'en', theme: 'dark' }, ['zh-CN'])).toEqual({ lang: 'en', theme: 'dark' });
    expect(firstFrameOf({ locale: 'system', theme: 'system' }, ['zh-TW', 'en'])).toEqual({ lang: 'zh-CN', theme: null });
    expect(firstFrameOf({ locale: 'system', theme: 'light' }, [])).toEqual({ lang: 'en', theme: 'light' });
  });

  it("reads a browser's Accept-Language in order of preference, ignoring what it refuses", () => {
    expect(acceptedLanguages('en-GB;q=0.8, zh-CN, fr;q=0, *;q=0.1')).toEqual(['zh-CN', 'en-GB']);
    expect(acceptedLanguages(undefined)).toEqual([]);
    expect(acceptedLanguages(';;,q=,')).toEqual([]);
  });

  it('writes them on <html> and touches nothing else', () => {
    const built = '<!doctype html>\n<html lang="zh-CN">\n<head></head><body><p lang="x">html lang="zh-CN"</p></body></html>';
    expect(withFirstFrame(built, { lang: 'en', theme: 'dark' })).toBe(built.replace('<html lang="zh-CN">', '<html lang="en" data-theme="dark">'));
    expect(withFirstFrame(built, { lang: 'zh-CN', theme: null })).toBe(built);
  });
});
