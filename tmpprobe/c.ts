import { encodeXcm } from '../src/xcmp/xcm-codec.js';
import { asset, here, relay, withdrawAsset, xcm } from '../src/xcmp/xcm-model.js';
console.log(Buffer.from(encodeXcm(xcm(5, [withdrawAsset([asset(here(), 1n), asset(relay(), 2n)])]))).toString('hex'));
