/**
 * Where the API's OpenAPI document lives for a jest run, and which Python makes it. Shared by the
 * global setup (which writes it) and the validator (which reads it).
 */
'use strict'

const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')

const MINIPROGRAM = path.resolve(__dirname, '../..')
const REPO = path.resolve(MINIPROGRAM, '..')

/** One file per checkout, so two clones running jest at once don't read each other's schema. */
function schemaFile() {
  const tag = crypto.createHash('sha1').update(REPO).digest('hex').slice(0, 12)
  return path.join(os.tmpdir(), `duoying-openapi-${tag}.json`)
}

/** $PYTHON, else the repo's own venv (`make install` makes .venv), else python3 on the PATH. */
function python() {
  if (process.env.PYTHON) return process.env.PYTHON
  const venv = path.join(REPO, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python')
  return fs.existsSync(venv) ? venv : 'python3'
}

module.exports = { MINIPROGRAM, REPO, schemaFile, python }
