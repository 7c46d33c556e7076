// Patches s3rver 3.7.1's empty-directory clean-up after a delete: with concurrent deletes (multi-delete)
// another request may already have removed the directory, and the ENOENT became a 500.
const fs = require('fs');
const path = require('path');
const file = path.join(process.argv[2], 'lib', 'stores', 'filesystem.js');
let src = fs.readFileSync(file, 'utf8');
const loop = /    while \(\n      parts\.length &&\n      !fs\.readdirSync\(path\.join\(bucketPath, \.\.\.parts\)\)\.length\n    \) \{\n      await fs\.rmdir\(path\.join\(bucketPath, \.\.\.parts\)\);\n      parts\.pop\(\);\n    \}\n/;
if (!loop.test(src)) {
  if (src.includes('dggrn: tolerate concurrent clean-up')) process.exit(0);
  console.error(`patch-s3rver-enoent: expected clean-up loop not found in ${file}`);
  process.exit(1);
}
src = src.replace(loop, `    try { // dggrn: tolerate concurrent clean-up
      while (
        parts.length &&
        !fs.readdirSync(path.join(bucketPath, ...parts)).length
      ) {
        await fs.rmdir(path.join(bucketPath, ...parts));
        parts.pop();
      }
    } catch (err) {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY') throw err;
    }
`);
fs.writeFileSync(file, src);
