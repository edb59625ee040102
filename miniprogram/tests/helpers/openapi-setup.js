/**
 * Jest global setup: generate the API's OpenAPI document from the Django code in this checkout
 * (`manage.py spectacular`), so every fake server answer in the tests is checked against what
 * the API really sends (tests/helpers/openapi.js). Generated, not committed: a fixture can never
 * be checked against a stale copy.
 */
'use strict'

const { execFileSync } = require('child_process')
const fs = require('fs')
const { REPO, schemaFile, python } = require('./openapi-paths')

module.exports = async function generateOpenApi() {
  const target = schemaFile()
  const partial = `${target}.${process.pid}.tmp`
  const py = python()
  try {
    execFileSync(py, ['manage.py', 'spectacular', '--format', 'openapi-json', '--file', partial], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : ''
    throw new Error(`Could not generate the OpenAPI schema with ${py} (set PYTHON to the project's venv python): ${err.message}\n${stderr}`)
  }
  fs.renameSync(partial, target)
}
