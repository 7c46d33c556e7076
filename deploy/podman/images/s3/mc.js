'use strict';
// The few `mc` commands compose's minio service and minio-init run, against the S3 stand-in:
//   mc ready ALIAS | mc alias set NAME URL KEY SECRET | mc mb [--ignore-existing] NAME/BUCKET
//   mc admin user add NAME KEY SECRET     (checks that the server already knows KEY: it reads it at start)
//   mc admin policy attach ...            (no policies in the stand-in: every known key may use every bucket)
// Aliases are kept in ~/.mc-standin.json for the commands that follow in the same container.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { sign } = require('./sigv4');

const store = path.join(os.homedir() || '/tmp', '.mc-standin.json');
const aliases = () => { try { return JSON.parse(fs.readFileSync(store, 'utf8')); } catch { return { local: { url: 'http://127.0.0.1:9000' } }; } };
const fail = message => { console.error(`mc (S3 stand-in): ${message}`); process.exit(1); };

function request(method, url, alias) {
  const headers = alias.key ? sign(method, url, alias.key, alias.secret) : {};
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, timeout: 5000 }, res => {
      let body = '';
      res.on('data', c => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function target(spec) {
  const [name, bucket] = spec.split('/');
  const alias = aliases()[name] || fail(`unknown alias ${name}`);
  return { alias, bucket, url: alias.url.replace(/\/$/, '') };
}

async function main(args) {
  const words = args.filter(a => !a.startsWith('--'));
  const cmd = words.slice(0, 2).join(' ');
  if (words[0] === 'ready') {
    const { url } = target(words[1] || 'local');
    await request('GET', url + '/', {});   // any HTTP answer means the server is up
    return;
  }
  if (cmd === 'alias set') {
    const [, , name, url, key, secret] = words;
    const all = aliases(); all[name] = { url, key, secret };
    fs.writeFileSync(store, JSON.stringify(all), { mode: 0o600 });
    console.log(`Added \`${name}\` successfully.`);
    return;
  }
  if (words[0] === 'mb') {
    const { alias, bucket, url } = target(words[1]);
    const res = await request('PUT', `${url}/${bucket}`, alias);
    const exists = /BucketAlready(OwnedByYou|Exists)/.test(res.body);
    if (res.status === 200 || (exists && args.includes('--ignore-existing'))) { console.log(`Bucket created successfully \`${words[1]}\`.`); return; }
    fail(`make bucket ${bucket}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }
  if (words[0] === 'admin' && words[1] === 'user' && words[2] === 'add') {
    const { url } = target(words[3]);
    const res = await request('GET', url + '/', { key: words[4], secret: words[5] });
    if (res.status !== 200) fail(`key ${words[4]} is not known to the server (HTTP ${res.status}); the stand-in reads DGGRN_S3_ACCESS_KEY/DGGRN_S3_SECRET_KEY at start`);
    console.log(`stand-in: key ${words[4]} is known to the server`);
    return;
  }
  if (words[0] === 'admin' && words[1] === 'policy') {
    console.log('stand-in: no policies; every known key may use every bucket');
    return;
  }
  fail(`unsupported command: mc ${args.join(' ')}`);
}

main(process.argv.slice(2)).catch(e => fail(e.message));
