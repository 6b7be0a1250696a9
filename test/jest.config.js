// Each test file starts a whole platform of processes; running files one at a time keeps a two-core
// machine responsive and the ports and memory predictable.
module.exports = { ...require('./jest.base.js')(__dirname), maxWorkers: 1, testTimeout: 300000 };
