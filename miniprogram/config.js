/**
 * Where the mini-program finds its API and how it signs in.
 *
 * apiBase: the Duoying Mall API root. The default is a server started with `make run` on this
 * computer; in WeChat DevTools tick 详情 → 本地设置 → 不校验合法域名 so http://127.0.0.1 is allowed.
 * For a phone preview use your computer's LAN address; for release an https domain that is
 * registered under 开发管理 → 开发设置 → 服务器域名.
 *
 * apiBaseByEnv: optional per-environment override keyed by wx.getAccountInfoSync()'s envVersion
 * ('develop' | 'trial' | 'release'); falls back to apiBase.
 *
 * loginMode:
 *   'auto'   — wx.login → auth/wechat-login; when that cannot work here (the server has no
 *              WECHAT_APPID and answers 503 wechat_unavailable, or wx.login fails under the
 *              touristappid placeholder) fall back to auth/dev-login (never in a release build).
 *   'wechat' — WeChat login only.
 *   'dev'    — development login only (a server with DEV_LOGIN_ENABLED).
 *
 * live (F24 直播): `plugin: true` only for a shop that has WeChat's 小程序直播 (its AppID was granted
 * the live-player-plugin, appid wx2b03c6e691cd7370). It is a BUILD switch: after changing it run
 * `npm run live:plugin`, which declares (or removes) the plugin in app.json's package-live
 * subpackage; `npm run check:live` (in `npm run ci`) fails when app.json and this switch disagree.
 * Off, the live pages still list rooms and open their companion page (deals, 抽奖, replay
 * information) but never navigate into the plugin. `pluginVersion`: the plugin version to declare.
 */
module.exports = {
  apiBase: 'http://127.0.0.1:8000/api/v1',
  apiBaseByEnv: {},
  loginMode: 'auto',
  devNickname: '开发者',
  request: {
    timeout: 10000,
    // network failures only (wx.request fail): attempts = 1 + retries, delays backoffMs × 2^n
    retries: 2,
    backoffMs: 300,
  },
  live: {
    plugin: false,
    pluginVersion: '1.3.5',
  },
}
