// Shared jest settings: every workspace's jest.config.js calls this with its own directory.
module.exports = (dir) => ({
  rootDir: dir,
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: `${dir}/tsconfig.json`, diagnostics: false }],
  },
  setupFiles: [require.resolve('reflect-metadata')],
  testTimeout: 120000,
});
