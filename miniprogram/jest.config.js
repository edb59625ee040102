/** Jest for the mini-program: jsdom + miniprogram-simulate; our code is CommonJS, so no transform. */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.js'],
  moduleFileExtensions: ['js', 'json', 'wxs'],
  transform: {},
  setupFiles: ['<rootDir>/tests/helpers/setup.js'],
  // the API's OpenAPI document, generated from the Django code; every fake answer is checked against it
  globalSetup: '<rootDir>/tests/helpers/openapi-setup.js',
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/contract.js'],
  restoreMocks: true,
}
