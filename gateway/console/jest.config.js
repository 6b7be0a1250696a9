// The console's pure helpers (name folding, number formats, CSV) are tested under Node; the pages are
// tested in a real browser by test/src/__tests__/GH12-console.test.ts.
const base = require('../../test/jest.base.js')(__dirname);
module.exports = {
  ...base,
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        diagnostics: false,
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node',
          target: 'ES2022',
          esModuleInterop: true,
          jsx: 'react-jsx',
          types: ['jest'],
        },
      },
    ],
  },
};
