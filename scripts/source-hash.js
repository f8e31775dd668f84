'use strict';
// The hash CMakeLists.txt compiles into the addon (buildInfo().sourceHash): sha256 over
// "<path>:<sha256 of file>\n" for native/* and CMakeLists.txt, sorted by path.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function sourceHash(root = path.join(__dirname, '..')) {
  const files = fs.readdirSync(path.join(root, 'native')).map((f) => `native/${f}`).concat(['CMakeLists.txt']).sort();
  let input = '';
  for (const f of files) input += `${f}:${crypto.createHash('sha256').update(fs.readFileSync(path.join(root, f))).digest('hex')}\n`;
  return crypto.createHash('sha256').update(input).digest('hex');
}
module.exports = { sourceHash };
if (require.main === module) console.log(sourceHash());
