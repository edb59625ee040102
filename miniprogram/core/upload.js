/**
 * One file to the API with wx.uploadFile (which core/request.js does not cover): multipart field
 * `file`, the shopper's bearer token, the answer parsed and checked like a request's, /media/ paths
 * made absolute. Used by the after-sales photos, the profile's avatar (chooseAvatar) and the
 * community's compose page, which follows each file's progress (opts.onProgress gets WeChat's
 * UploadTask.onProgressUpdate {progress, totalBytesSent, totalBytesExpectedToSend}).
 */
'use strict'

const client = require('./request')
const store = require('./store')
const { absolutize } = require('./media')
const { ApiError, fromResponse, fromNetworkFailure } = require('./errors')

/** POST `path` with the local file → the API's JSON answer (rejects with ApiError). */
function uploadFile(path, filePath, opts = {}) {
  const session = store.get('session')
  return new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: client.urlFor(path),
      filePath,
      name: 'file',
      formData: opts.formData || {},
      header: session && session.access ? { Authorization: `Bearer ${session.access}` } : {},
      success: (res) => {
        let data = res.data
        if (typeof data === 'string') {
          try {
            data = JSON.parse(data)
          } catch (err) {
            data = null
          }
        }
        if (res.statusCode >= 200 && res.statusCode < 300 && data && typeof data === 'object') resolve(absolutize(data))
        else reject(res.statusCode ? fromResponse({ statusCode: res.statusCode, data }) : new ApiError({ code: 'bad_response' }))
      },
      fail: (res) => reject(fromNetworkFailure(res)),
    })
    if (opts.onProgress && task && typeof task.onProgressUpdate === 'function') task.onProgressUpdate((p) => opts.onProgress(p))
  })
}

module.exports = { uploadFile }
