/** Jest for the mini-program: jsdom + miniprogram-simulate; our code is CommonJS, so no transform. */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.js'],
  moduleFileExtensions: ['js', 'json', 'wxs'],
  transform: {},
  setupFiles: ['<rootDir>/tests/helpers/setup.js'],
  restoreMocks: true,
}
