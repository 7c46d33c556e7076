'use strict';
// `minio server DIR [--console-address ADDR]` for the S3 stand-in: s3rver on :9000 with DIR as its store.
// Access keys: MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, and DGGRN_S3_ACCESS_KEY / DGGRN_S3_SECRET_KEY when set
// (MinIO gets the latter from `mc admin user add`; s3rver has no admin API, so it reads them at start).
// s3rver's built-in S3RVER key is revoked, so an unknown key is refused (InvalidAccessKeyId). Signatures
// (SigV4) are not verified: that is the main difference from MinIO.
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

const args = process.argv.slice(2);
if (args[0] !== 'server' || !args[1]) {
  console.error('usage: minio server DIR [--console-address ADDR]   (S3 stand-in: s3rver)');
  process.exit(2);
}
const user = process.env.MINIO_ROOT_USER, password = process.env.MINIO_ROOT_PASSWORD;
if (!user || !password) { console.error('s3-standin: MINIO_ROOT_USER and MINIO_ROOT_PASSWORD are required'); process.exit(2); }
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
const account = new AWSAccount(100000000001, user);
account.createKeyPair(user, password);
if (process.env.DGGRN_S3_ACCESS_KEY && process.env.DGGRN_S3_SECRET_KEY)
  account.createKeyPair(process.env.DGGRN_S3_ACCESS_KEY, process.env.DGGRN_S3_SECRET_KEY);
if (args.includes('--console-address')) console.log('s3-standin: no console (MinIO feature); --console-address ignored');

const server = new S3rver({ address: '0.0.0.0', port: 9000, directory: args[1], silent: true, vhostBuckets: false });
server.run().then(() => console.log(`s3-standin: S3 (s3rver, not MinIO) on :9000, data in ${args[1]}`),
  e => { console.error(`s3-standin: ${e.message}`); process.exit(1); });
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
