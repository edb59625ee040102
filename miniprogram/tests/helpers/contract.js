/**
 * After each test: fail it if the fake server (tests/helpers/wx.js) answered anything the real
 * API can't, as the OpenAPI document generated from this checkout says (tests/helpers/openapi.js).
 */
'use strict'

const { contractProblems } = require('./wx')

afterEach(() => {
  const problems = contractProblems.splice(0)
  if (problems.length) throw new Error(`Fake API answers off the OpenAPI contract:\n- ${Array.from(new Set(problems)).join('\n- ')}`)
})
