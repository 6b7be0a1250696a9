module.exports = require('../../test/jest.base.js')(__dirname);
