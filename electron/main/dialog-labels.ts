/**
 * What the main process says in its own dialogs, in both languages; typed so each language
 * carries every text (the menu's labels are in ./menu.ts for the same reason: the main process
 * has no DOM and speaks before any page loads).
 */
import type { Locale } from '../shared/contract';

export interface DialogLabels {
  readonly leaveTitle: string;
  readonly leaveMessage: string;
  readonly leaveDetail: string;
  readonly leave: string;
  readonly stay: string;
  readonly goneMessage: string;
  readonly goneDetail: (reason: string) => string;
  readonly reload: string;
  readonly quit: string;
  readonly hungMessage: string;
  readonly hungDetail: string;
  readonly wait: string;
  readonly updateReadyMessage: (version: string) => string;
  readonly updateReadyDetail: string;
  readonly restartNow: string;
  readonly later: string;
  readonly upToDate: (version: string) => string;
  readonly updateDownloading: (version: string) => string;
  readonly updateCheckFailed: string;
  readonly ok: string;
  readonly diagnosticsSaved: (file: string) => string;
  readonly diagnosticsFailed: string;
}

export const dialogLabels: Readonly<Record<Locale, DialogLabels>> = {
  'zh-CN': {
    leaveTitle: '邮件安全助手',
    leaveMessage: '屏幕上的密码只显示这一次',
    leaveDetail: '离开或重新加载后将无法再次查看。请先复制或记下它，再离开此页。',
    leave: '仍然离开',
    stay: '留在此页',
    goneMessage: '窗口意外停止工作',
    goneDetail: (reason) => `原因：${reason}。重新加载窗口即可继续，已保存的设置不会丢失。`,
    reload: '重新加载',
    quit: '退出',
    hungMessage: '邮件安全助手没有响应',
    hungDetail: '可以再等一会儿，或重新加载窗口（屏幕上未保存的内容将丢失）。',
    wait: '等待',
    updateReadyMessage: (version) => `新版本 ${version} 已下载`,
    updateReadyDetail: '重新启动后即完成更新。',
    restartNow: '立即重新启动',
    later: '稍后',
    upToDate: (version) => `已是最新版本（${version}）。`,
    updateDownloading: (version) => `正在下载新版本 ${version}，下载完成后会提示您重新启动。`,
    updateCheckFailed: '无法检查更新，请稍后再试。详情见日志。',
    ok: '确定',
    diagnosticsSaved: (file) => `诊断信息已保存到 ${file}。其中不含密码、验证码或密钥。`,
    diagnosticsFailed: '无法保存诊断信息。',
  },
  en: {
    leaveTitle: 'Mailwarden',
    leaveMessage: 'The password on screen is shown only this once',
    leaveDetail: 'After you leave or reload it cannot be shown again. Copy it or write it down first.',
    leave: 'Leave anyway',
    stay: 'Stay on this page',
    goneMessage: 'The window stopped working',
    goneDetail: (reason) => `Reason: ${reason}. Reload the window to go on; saved settings are kept.`,
    reload: 'Reload',
    quit: 'Quit',
    hungMessage: 'Mailwarden is not responding',
    hungDetail: 'You can wait a little longer, or reload the window (anything unsaved on screen is lost).',
    wait: 'Wait',
    updateReadyMessage: (version) => `Version ${version} has been downloaded`,
    updateReadyDetail: 'Restart to finish updating.',
    restartNow: 'Restart Now',
    later: 'Later',
    upToDate: (version) => `You have the latest version (${version}).`,
    updateDownloading: (version) => `Version ${version} is downloading; you will be asked to restart when it is ready.`,
    updateCheckFailed: 'Could not check for updates. Try again later; the log has the details.',
    ok: 'OK',
    diagnosticsSaved: (file) => `Diagnostics saved to ${file}. They contain no passwords, codes or keys.`,
    diagnosticsFailed: 'The diagnostics could not be saved.',
  },
};

/** The message box the main process shows; returns the index of the button chosen. */
export type Ask = (options: {
  type: 'warning' | 'error' | 'info' | 'question';
  title?: string;
  message: string;
  detail?: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}) => number;
