// Multiply/divide family (core/cpu/ops/muldiv.ts, wide-arith.ts): MUL, IMUL (one, two and three
// operands), DIV and IDIV at every size against results and flags recorded on the host CPU (AMD
// Zen), #DE on zero divisors and quotient overflow, and the wide helpers against BigInt.
// Flags Intel leaves undefined are pinned to the host: MUL/IMUL keep SF ZF AF PF, DIV/IDIV clear
// SF ZF PF, set AF and keep CF OF.

import assert from "node:assert/strict";
import { ArithMachine, DATA, hex, parseRow } from "./arith_harness.ts";
import { VEC_DE } from "../../core/cpu/exceptions.ts";
import {
  divU128by64,
  divU64by32,
  mulS32,
  mulS64,
  mulU32,
  mulU64,
  wide,
} from "../../core/cpu/ops/wide-arith.ts";

// "bytes: rax rdx rbx flags -> rax' rdx' flags'" (or "#DE"): the one-operand forms use BL/BX/
// EBX/RBX, the two/three-operand IMULs are imul eax, ebx(, imm) at each size.
const VECTORS = [
  "f6 e3: 7a97c64365641200 1710cf5327ac435a 512bd1311072200 8d4 -> 7a97c64365640000 1710cf5327ac435a d4",
  "f6 e3: eaff1a098ca599ff ccea71ff4a14876a c3e1b258fd7244ff 0 -> eaff1a098ca5fe01 ccea71ff4a14876a 801",
  "f6 e3: 8534f45738d04880 5c3902b38963dc6e c79d679346d4acff 1 -> 8534f45738d07f80 5c3902b38963dc6e 801",
  "f6 e3: 1b2ed40ed3addc7f 36e2f24b43000de0 ed6f0b09f165c87f 0 -> 1b2ed40ed3ad3f01 36e2f24b43000de0 801",
  "f6 e3: a4042bb3d4341a07 42a00403ce80c4b0 459142deccea2609 1 -> a4042bb3d434003f 42a00403ce80c4b0 0",
  "f6 e3: 4f5253a02a318710 a08179104a25e466 bb5d7385de08ca10 8d5 -> 4f5253a02a310100 a08179104a25e466 8d5",
  "f6 e3: d8441b5616332a0f 566002249b191bf4 634f806fabf4a011 801 -> d8441b56163300ff 566002249b191bf4 0",
  "f6 e3: 2d83a8233fb62d80 793d0e453f508249 16df648647adec02 801 -> 2d83a8233fb60100 793d0e453f508249 801",
  "f6 e3: 4cdce7a6d7288f3c e8abb93f01d89a02 9286a1754abcb04d 40 -> 4cdce7a6d728120c e8abb93f01d89a02 841",
  "f6 e3: 4fcfa583e1df8a01 c3e4a892d9196ada 31f3b9238224b1f5 8d4 -> 4fcfa583e1df00f5 c3e4a892d9196ada d4",
  "66 f7 e3: 294c4ea3738d0000 4e1bcb383bb4a570 d0060cc542780000 0 -> 294c4ea3738d0000 4e1bcb383bb40000 0",
  "66 f7 e3: bdbc23a14c1ffff a05885ac7671863c 47ca7883ff5affff 801 -> bdbc23a14c10001 a05885ac7671fffe 801",
  "66 f7 e3: a5e333cb88dc8000 b36cc9aa78a330a1 2522d53857c4ffff 40 -> a5e333cb88dc8000 b36cc9aa78a37fff 841",
  "66 f7 e3: 11021c9e32117fff e9dd38b869ace913 a2909cb633e27fff 40 -> 11021c9e32110001 e9dd38b869ac3fff 841",
  "66 f7 e3: 46bbe9e870ef0007 5b17b9662f0733c8 bf37a2be6f980009 801 -> 46bbe9e870ef003f 5b17b9662f070000 0",
  "66 f7 e3: a26a25c852170100 32decd6b8efbc170 52d32377e7810100 0 -> a26a25c852170000 32decd6b8efb0001 801",
  "66 f7 e3: fc5b043d6e400ff 3a973000b54a2302 c3e1ac3b47080101 801 -> fc5b043d6e4ffff 3a973000b54a0000 0",
  "66 f7 e3: dcb285f89d8c8000 1f44ebd13cc75f3e ef40af2e54c00002 1 -> dcb285f89d8c0000 1f44ebd13cc70001 801",
  "66 f7 e3: 758240df4a7a6c79 af5ac870692b534 b281b8885b699952 0 -> 758240df4a7a0fc2 af5ac87069240f7 801",
  "66 f7 e3: f6e7d078e55b0049 4922b9ccf469aef8 acdac615bc20ff92 8d5 -> f6e7d078e55be0a2 4922b9ccf4690048 8d5",
  "f7 e3: 272515cd00000000 a6e46653c676176a dc82f25200000000 801 -> 0 0 0",
  "f7 e3: d163b764ffffffff 4b1cef3913e7d611 31009624ffffffff 8d4 -> 1 fffffffe 8d5",
  "f7 e3: 22ed938780000000 61b2ceba40031ad6 f6396ae3ffffffff 1 -> 80000000 7fffffff 801",
  "f7 e3: 92b607d57fffffff 5d02db430267ce8c 746ccfcd7fffffff 1 -> 1 3fffffff 801",
  "f7 e3: c8a38e7b00000007 5cdb7f4ccde9d231 4a53583b00000009 801 -> 3f 0 0",
  "f7 e3: 7077b81d00010000 350d775dfb53e13d eaa1b29500010000 1 -> 0 1 801",
  "f7 e3: f30e0050000ffff e2637300fecf10e 2b2df98d00010001 801 -> ffffffff 0 0",
  "f7 e3: f87a797680000000 9b44baf5264ed787 8bd5bb7100000002 8d4 -> 0 1 8d5",
  "f7 e3: 3fc24ec004a7f007 ff651b9052496e1e 1f4d4cc552a3b181 801 -> 8809ca87 180c50a 801",
  "f7 e3: c6173d94000049fb 68c946b0ff353728 fcd71d42ffffada7 1 -> e833e1bd 49fa 801",
  "48 f7 e3: 0 38146a2f0970425b 0 8d4 -> 0 0 d4",
  "48 f7 e3: ffffffffffffffff 3fa3549b71895aa3 ffffffffffffffff 40 -> 1 fffffffffffffffe 841",
  "48 f7 e3: 8000000000000000 6d86b88de3a9312c ffffffffffffffff 1 -> 8000000000000000 7fffffffffffffff 801",
  "48 f7 e3: 7fffffffffffffff 300dc4c27fa2ebbc 7fffffffffffffff 0 -> 1 3fffffffffffffff 801",
  "48 f7 e3: 7 411ff179096c1dbb 9 8d5 -> 3f 0 d4",
  "48 f7 e3: 100000000 8692c6f33e0d36b7 100000000 1 -> 0 1 801",
  "48 f7 e3: ffffffff 3b416610c5b67999 100000001 8d4 -> ffffffffffffffff 0 d4",
  "48 f7 e3: 8000000000000000 42fdef77dea5486a 2 1 -> 0 1 801",
  "48 f7 e3: 33a760e17a4e9ba3 d20464953341f5b 705620733deaaddd 8d5 -> 59bbd376cf0782b7 16aa9b295e0c6b3c 8d5",
  "48 f7 e3: 691e8e3b 1dea467190ba65d0 ffffffff82104ed5 801 -> cc49a8469f725117 691e8e3a 801",
  "f6 eb: def32daea76ace00 b7a46957ca75a6c1 a5e6beabea66100 8d4 -> def32daea76a0000 b7a46957ca75a6c1 d4",
  "f6 eb: 17c8dbfc633169ff 35fef00d6e1b8793 dfb1c3cdee0fbdff 801 -> 17c8dbfc63310001 35fef00d6e1b8793 0",
  "f6 eb: f1b31705e656ca80 2a5b4beaecb11a5a 4bd411e6562abcff 40 -> f1b31705e6560080 2a5b4beaecb11a5a 841",
  "f6 eb: ccac565778a2777f a47a7b5ee6941cdf d09872a750a6467f 8d4 -> ccac565778a23f01 a47a7b5ee6941cdf 8d5",
  "f6 eb: 3719d668872c9207 cd285f3ba79c875d cd152d1aaf9b1009 8d5 -> 3719d668872c003f cd285f3ba79c875d d4",
  "f6 eb: ec3c9e4556a9f110 f4ceb45f646607a4 130a9adb7f137110 8d5 -> ec3c9e4556a90100 f4ceb45f646607a4 8d5",
  "f6 eb: a0bb7fb6f636cf0f 30f6418eab191be1 6511993d0b673b11 801 -> a0bb7fb6f63600ff 30f6418eab191be1 801",
  "f6 eb: c44e554020ac8a80 44fa1f36f7f1e857 db37535faaccf502 0 -> c44e554020acff00 44fa1f36f7f1e857 801",
  "f6 eb: 2ad1eb5ddebd8e67 a29bcc45b0171de1 91b77af576ee78f6 8d4 -> 2ad1eb5ddebdfbfa a29bcc45b0171de1 8d5",
  "f6 eb: 675a9879bf1a440e 63f40668ed6f642c cc4a988537f255f6 0 -> 675a9879bf1aff74 63f40668ed6f642c 801",
  "66 f7 eb: e05d4bd09c290000 1daaf70241e0f8f2 cf53cb2565520000 8d4 -> e05d4bd09c290000 1daaf70241e00000 d4",
  "66 f7 eb: 38eaf8cae0bcffff dabacd08cf4ac18 f37207e3e0f2ffff 1 -> 38eaf8cae0bc0001 dabacd08cf40000 0",
  "66 f7 eb: abe63b1429728000 54a506fe9bb81a4f e449bac3d184ffff 801 -> abe63b1429728000 54a506fe9bb80000 801",
  "66 f7 eb: c8ca5618c6087fff ea4cd4bc78b4e31e 708c666886c27fff 0 -> c8ca5618c6080001 ea4cd4bc78b43fff 801",
  "66 f7 eb: 8c03a1914380007 98304a24b2078093 7d240b1a1ce80009 801 -> 8c03a191438003f 98304a24b2070000 0",
  "66 f7 eb: 41c7924add5e0100 c62c42399bae16e6 a97a27d23850100 8d5 -> 41c7924add5e0000 c62c42399bae0001 8d5",
  "66 f7 eb: c48016c8146600ff 85e26df5e10ad788 2b37cf9e7b00101 8d5 -> c48016c81466ffff 85e26df5e10a0000 8d5",
  "66 f7 eb: 58cf43fed6728000 1321cfd7d3db11b7 f5b9e8e715cb0002 801 -> 58cf43fed6720000 1321cfd7d3dbffff 801",
  "66 f7 eb: 61939295742a3610 c99239cc3491fea1 4fa8cbd5fa00ec1f 8d4 -> 61939295742a4bf0 c99239cc3491fbcd 8d5",
  "66 f7 eb: c23aed933bd30028 db0063007c9539a1 666a32ecf75efffd 0 -> c23aed933bd3ff88 db0063007c95ffff 0",
  "f7 eb: e2a5d4ff00000000 833189cb5daa78bc 6f178f7700000000 8d4 -> 0 0 d4",
  "f7 eb: b61376ddffffffff 71b9abe6c6ce5b05 a0eb6fc1ffffffff 1 -> 1 0 0",
  "f7 eb: 4d63e40680000000 d6210fa3ee0413f8 6c26a143ffffffff 0 -> 80000000 0 801",
  "f7 eb: 8eec2b7a7fffffff 5f215ed42ad93787 29ae9cd77fffffff 1 -> 1 3fffffff 801",
  "f7 eb: 2638fb2200000007 7e8782b35399187b 56ad802d00000009 8d5 -> 3f 0 d4",
  "f7 eb: f9485e4900010000 13fc16de77148e5 2b306fc300010000 0 -> 0 1 801",
  "f7 eb: 4fd33f820000ffff 8b81be4a1ef6c403 7c8bb3da00010001 40 -> ffffffff 0 841",
  "f7 eb: 7bf7c5ab80000000 13600c4086bc3816 3ed53ba600000002 8d4 -> 0 ffffffff 8d5",
  "f7 eb: 4b1f9ac513c300a9 3aad70915b56a060 2e2f91d51d4cab27 40 -> 9b51fcbf 243022d 841",
  "f7 eb: ad3e65b80000ea6e 9c0a7a5d0d8c202b 5032a185ffff6109 801 -> 6e6debde ffffffff 801",
  "48 f7 eb: 0 efcdfc394e3f1ad0 0 801 -> 0 0 0",
  "48 f7 eb: ffffffffffffffff 70d5189ec96ef603 ffffffffffffffff 801 -> 1 0 0",
  "48 f7 eb: 8000000000000000 712b34409e11d144 ffffffffffffffff 8d4 -> 8000000000000000 0 8d5",
  "48 f7 eb: 7fffffffffffffff 406f29f62402ca31 7fffffffffffffff 801 -> 1 3fffffffffffffff 801",
  "48 f7 eb: 7 fc63adaf5cb7cc8b 9 40 -> 3f 0 40",
  "48 f7 eb: 100000000 221cfbb2570d1f72 100000000 8d4 -> 0 1 8d5",
  "48 f7 eb: ffffffff 9b09f6d11522a8d2 100000001 1 -> ffffffffffffffff 0 801",
  "48 f7 eb: 8000000000000000 cf1c152eace631cb 2 801 -> 0 ffffffffffffffff 801",
  "48 f7 eb: e8be2948e9aca3d3 490dc3c42d7bb254 c84ed939778f3a8c 8d5 -> 724b35627f646564 50f3d2c9992d02b 8d5",
  "48 f7 eb: e9520b19 93739671328e8430 ffffffff6e81541b 8d5 -> 7b6514aadce45fa3 ffffffffffffffff 8d5",
  "66 0f af c3: 17ed77bde21b0003 0 670d596913ba0005 40 -> 17ed77bde21b000f 0 40",
  "66 0f af c3: e77f3fbfefaa8000 0 5463ca582dffffff 40 -> e77f3fbfefaa8000 0 841",
  "66 0f af c3: 53a0cf685f34ffff 0 4cf2d1e42cb4ffff 0 -> 53a0cf685f340001 0 0",
  "66 0f af c3: 52545f09a907fff 0 f30b5d7386200002 0 -> 52545f09a90fffe 0 801",
  "66 0f af c3: 5be8b1f6cd15acca 0 d019eefdcea79eee 0 -> 5be8b1f6cd154fcc 0 801",
  "66 69 c3 ff 7f: 0 0 2eb1dd1b28912345 801 -> 5cbb 0 801",
  "66 69 c3 fe ff: 0 0 7ec81eaafcae8000 40 -> 0 0 841",
  "66 6b c3 ff: 0 0 fe159a6d92e88000 0 -> 8000 0 801",
  "66 6b c3 05: 0 0 ecfb1dd1c29f0007 0 -> 23 0 0",
  "0f af c3: ace6c93700000003 0 bec5898200000005 1 -> f 0 0",
  "0f af c3: c963a8e680000000 0 a9070d9effffffff 8d5 -> 80000000 0 8d5",
  "0f af c3: ed85ba7affffffff 0 67f6ead6ffffffff 801 -> 1 0 0",
  "0f af c3: e59993c47fffffff 0 b41e70d100000002 1 -> fffffffe 0 801",
  "0f af c3: 5e1c29692c09926a 0 bee46e99a6cc60e9 8d5 -> 1416027a 0 8d5",
  "69 c3 ff ff ff 7f: 0 0 a075c01d00012345 801 -> 7ffedcbb 0 801",
  "69 c3 fe ff ff ff: 0 0 73aeaa7e80000000 8d4 -> 0 0 8d5",
  "6b c3 ff: 0 0 6691a7ec80000000 8d5 -> 80000000 0 8d5",
  "6b c3 05: 0 0 7033d01d00000007 8d4 -> 23 0 d4",
  "48 0f af c3: 3 0 5 801 -> f 0 0",
  "48 0f af c3: 8000000000000000 0 ffffffffffffffff 8d4 -> 8000000000000000 0 8d5",
  "48 0f af c3: ffffffffffffffff 0 ffffffffffffffff 40 -> 1 0 40",
  "48 0f af c3: 7fffffffffffffff 0 2 801 -> fffffffffffffffe 0 801",
  "48 0f af c3: 35ffb53968ffab6 0 2f1390eb40541d28 801 -> fc3ca81b999dca70 0 801",
  "48 69 c3 ff ff ff 7f: 0 0 12345 8d5 -> 91a27ffedcbb 0 d4",
  "48 69 c3 fe ff ff ff: 0 0 8000000000000000 8d4 -> 0 0 8d5",
  "48 6b c3 ff: 0 0 8000000000000000 8d4 -> 8000000000000000 0 8d5",
  "48 6b c3 05: 0 0 7 801 -> 23 0 0",
  "f6 f3: 27f30f300725fb64 1155dcc082e4fbb2 f94a4dfd754c4b07 40 -> #DE",
  "f6 f3: 58ef78a0eb82c4ff cbd6504b9a92dfa9 e90669df4feec1ff 0 -> 58ef78a0eb82c4c5 cbd6504b9a92dfa9 10",
  "f6 f3: 4205e550c16ca0ff 38df94187bc3a303 eda16b2fa3d30780 8d4 -> #DE",
  "f6 f3: 9a8768a2e47f1000 10f836f1c725b20c ec8b43822612f900 1 -> #DE",
  "f6 f3: 4c9942fe11af2700 f2ab6e3f21f4dea7 29cf50740c009fff 8d4 -> 4c9942fe11af2727 f2ab6e3f21f4dea7 810",
  "f6 f3: 94f0c9adca5a6e80 9ee4509cae421df4 b6897eda8c110e02 801 -> #DE",
  "f6 f3: 4be3422432870f9 3ed198e9863cebef c055bbbe28533002 0 -> #DE",
  "f6 f3: 820b40b349ae307 5107595ef3018e40 1f2c66dc14fa46fe 8d5 -> 820b40b349acfe4 5107595ef3018e40 811",
  "f6 f3: e0f39e520fae8400 a4b1cc59fe177771 9c17a48e49ff9b01 40 -> #DE",
  "f6 f3: 2c1d71a8b3b52cff 2631c786bb383509 6a3ace5da7b9d501 1 -> #DE",
  "66 f7 f3: aa4578b19a0064 e16b31fdb9440000 27e14aff8d670007 801 -> aa4578b19a000e e16b31fdb9440002 811",
  "66 f7 f3: 2779bdf86973ffff d826608b370dffff 7bf3fdd24c51ffff 801 -> #DE",
  "66 f7 f3: 603f852a115bffff 29d58ae02b047fff e3c0a00ddff18000 8d5 -> 603f852a115bffff 29d58ae02b047fff 811",
  "66 f7 f3: 642dc72483cc0000 aea0c5e6898f0000 dc9191374d880000 8d4 -> #DE",
  "66 f7 f3: 2b96664d54130000 fda0caa63058000 faff16a96c4fffff 0 -> 2b96664d54138000 fda0caa63058000 10",
  "66 f7 f3: e06c431d4752fff9 4dd27b6ad1cffff f5c8bf794dd20002 1 -> #DE",
  "66 f7 f3: 281bca3b15f80007 d93d1e6b1daf0000 d2ca2f479bfdfffe 0 -> 281bca3b15f80000 d93d1e6b1daf0007 10",
  "66 f7 f3: 3b34e5e83b65fff9 23476818db3ffff e9388e6f7a09fffe 40 -> #DE",
  "66 f7 f3: 2f6265e288400000 d3535381e2ae0001 ff16a36373ca0001 40 -> #DE",
  "66 f7 f3: de9b7ed9b4daffff aefe694debd50000 b2860229efe70001 8d4 -> de9b7ed9b4daffff aefe694debd50000 810",
  "66 f7 f3: d8f6403c5613e0e4 d5713c5a2c2d5ac6 9654825487c3b82c 1 -> d8f6403c56137e2e d5713c5a2c2d20fc 11",
  "66 f7 f3: 7993ac511b6e14d0 e7303dd89e86008f 5b565cc2e96700bb 8d5 -> 7993ac511b6ec3e0 e7303dd89e860030 811",
  "66 f7 f3: a597dd1bee320000 e5ac6e61d4f38000 99a036a769d58000 40 -> #DE",
  "66 f7 f3: d219969f09878000 3645bdd6a1c7ffff 9437b0eb4173ffff 40 -> #DE",
  "f7 f3: 56d2512200000064 d58c428200000000 e4414ee700000007 1 -> e 2 11",
  "f7 f3: 50e7b0e1ffffffff 1a82d1c3ffffffff f9bf5bd6ffffffff 40 -> #DE",
  "f7 f3: 9acc664dffffffff 86ef83787fffffff fcc920ce80000000 8d5 -> ffffffff 7fffffff 811",
  "f7 f3: 14dde0b700000000 b6a893b700000000 7f8288ed00000000 801 -> #DE",
  "f7 f3: d3c0a74a00000000 b604825980000000 9f9d6ddffffffff 1 -> 80000000 80000000 11",
  "f7 f3: 1243a0d2fffffff9 c8161be5ffffffff e890f85500000002 1 -> #DE",
  "f7 f3: 4efd5a7800000007 81ef1c0700000000 e3855179fffffffe 801 -> 0 7 811",
  "f7 f3: 3b13d5fffffff9 d8070044ffffffff 9f94a808fffffffe 8d5 -> #DE",
  "f7 f3: f4579f3200000000 e3ff1bc100000001 f933577500000001 0 -> #DE",
  "f7 f3: 7a638e1dffffffff 2515c17400000000 5c1e1f6200000001 1 -> ffffffff 0 11",
  "f7 f3: bd09713e974dff0e 584f878f27589f44 fb8930dbc8ca3287 8d5 -> 322a3d7c 7f2d5aaa 811",
  "f7 f3: 63721f64e54902a9 9ad492ff00007a3c 8b6f79400014007 1 -> 61c82d73 484 11",
  "f7 f3: 7e62c17000000000 105d170180000000 82b886d580000000 801 -> #DE",
  "f7 f3: 8f5240e680000000 486a88d5ffffffff 35242ef1ffffffff 40 -> #DE",
  "48 f7 f3: 64 0 7 8d5 -> e 2 811",
  "48 f7 f3: ffffffffffffffff ffffffffffffffff ffffffffffffffff 8d5 -> #DE",
  "48 f7 f3: ffffffffffffffff 7fffffffffffffff 8000000000000000 8d4 -> ffffffffffffffff 7fffffffffffffff 810",
  "48 f7 f3: 0 0 0 40 -> #DE",
  "48 f7 f3: 0 8000000000000000 ffffffffffffffff 8d4 -> 8000000000000000 8000000000000000 810",
  "48 f7 f3: fffffffffffffff9 ffffffffffffffff 2 8d5 -> #DE",
  "48 f7 f3: 7 0 fffffffffffffffe 801 -> 0 7 811",
  "48 f7 f3: fffffffffffffff9 ffffffffffffffff fffffffffffffffe 1 -> #DE",
  "48 f7 f3: 0 1 1 8d5 -> #DE",
  "48 f7 f3: ffffffffffffffff 0 1 8d5 -> ffffffffffffffff 0 811",
  "48 f7 f3: 6ff994fcb4108c78 16621d5829323743 8498119036f72908 801 -> 2b3729f0f84b5271 12b95910807adff0 811",
  "48 f7 f3: e312dffb7a862cef 6fed5666 1ee8c9bb3 0 -> 39f033b84ec67f68 1d9b71f37 10",
  "48 f7 f3: 0 8000000000000000 8000000000000000 0 -> #DE",
  "48 f7 f3: 8000000000000000 ffffffffffffffff ffffffffffffffff 8d4 -> #DE",
  "f6 fb: 9be0fd5543796064 acfa72d54982741c a439e552ea1cea07 1 -> #DE",
  "f6 fb: c21e8fa69ce881ff 1634c3cc50122a13 fc815aa0ef6b57ff 1 -> #DE",
  "f6 fb: 1795d2109ec5b1ff 362ba7c0b3762444 eedd3787ef34bb80 8d5 -> #DE",
  "f6 fb: 3753aaf9ab33a100 a4624f78e3fb5278 c3aaf1387fce4f00 0 -> #DE",
  "f6 fb: 572ad3d6a53f2b00 74a3e1700209526b fd84d83591f07dff 1 -> #DE",
  "f6 fb: 17f06baa2a9db880 84e23c5d3e815295 18673e93d7df0c02 0 -> #DE",
  "f6 fb: f8ad5007cc2b9ff9 4bee3eb050ebe653 91375fbade871102 801 -> #DE",
  "f6 fb: 269872bca91f8907 bf0b2d5be83253e4 a96577db1361d6fe 1 -> #DE",
  "f6 fb: b7e1591ce62a4200 6f7e0f7bf373098 c444429ac1849b01 1 -> #DE",
  "f6 fb: 34c6c870ad35baff 8ec43e2434f3e0e 530d03ee97fa6101 40 -> #DE",
  "66 f7 fb: fc7d777e5d410064 2990298bfd770000 c163b1e02bff0007 1 -> fc7d777e5d41000e 2990298bfd770002 11",
  "66 f7 fb: f4c23e010cacffff f39152dc0daeffff af225816291affff 0 -> f4c23e010cac0001 f39152dc0dae0000 10",
  "66 f7 fb: e74fd2abac57ffff b44e4fcc430b7fff ab072bbfebce8000 40 -> #DE",
  "66 f7 fb: 7e6dc6e4d7d60000 d8cbe6281aaf0000 cc39f93b33170000 1 -> #DE",
  "66 f7 fb: 7a90ed66646d0000 8bd0f6a399f38000 8a65fabb7ef2ffff 8d5 -> #DE",
  "66 f7 fb: 6e1471445cb8fff9 67e30530be63ffff 9450198d6a30002 0 -> 6e1471445cb8fffd 67e30530be63ffff 10",
  "66 f7 fb: 272571592e650007 3820bb545bb10000 3cff75734bf2fffe 8d5 -> 272571592e65fffd 3820bb545bb10001 811",
  "66 f7 fb: dd81001492e5fff9 f065334731cdffff ad6f465c9feafffe 8d5 -> dd81001492e50003 f065334731cdffff 811",
  "66 f7 fb: 5d1a180a62390000 b544c648891b0001 f1c192961ca30001 1 -> #DE",
  "66 f7 fb: fef8e60930cdffff 2f5edf5559250000 88d5025bfb470001 1 -> #DE",
  "66 f7 fb: 6e687bd056d5401 30ee58171e265e33 d34e45d84bfffba0 40 -> #DE",
  "66 f7 fb: 52556ea0bb35c521 8a8289a0f03d009b f0f078ce7f5101b1 0 -> 52556ea0bb355c18 8a8289a0f03d0089 10",
  "66 f7 fb: 4e6546f9f35e0000 b81de588cce58000 649031f5cd5a8000 1 -> #DE",
  "66 f7 fb: fec8864a23bc8000 9e0a13a8602dffff 59c3777d76b8ffff 8d5 -> #DE",
  "f7 fb: c8a0cd5d00000064 bb7421d200000000 6b1d846600000007 1 -> e 2 11",
  "f7 fb: 549c1242ffffffff 98fc6a54ffffffff de94e50ffffffff 0 -> 1 0 10",
  "f7 fb: 294daf98ffffffff ace8342e7fffffff fa13b5880000000 1 -> #DE",
  "f7 fb: 9d752ea000000000 999fa57300000000 996690d700000000 0 -> #DE",
  "f7 fb: a93675ab00000000 61ff7a3b80000000 3b3a17dcffffffff 801 -> #DE",
  "f7 fb: 9f23e125fffffff9 224c274fffffffff 9aeb678200000002 8d5 -> fffffffd ffffffff 811",
  "f7 fb: 6f65c20200000007 507ad97700000000 a2681bcefffffffe 8d5 -> fffffffd 1 811",
  "f7 fb: bade44f3fffffff9 eda59cb1ffffffff d6363a09fffffffe 801 -> 3 ffffffff 811",
  "f7 fb: f56e001c00000000 efaaa95100000001 420cb0cc00000001 801 -> #DE",
  "f7 fb: f711c39fffffffff 839d54700000000 26f1cd7b00000001 8d5 -> #DE",
  "f7 fb: dcd80811017f7b86 326995e13923f59b 789f25b5b2aec363 0 -> #DE",
  "f7 fb: e2122a9622e45b9d 987e47740000728b fcdd474300000f3d 1 -> #DE",
  "f7 fb: 8d15eaca00000000 23cf7b7680000000 d68a930b80000000 0 -> #DE",
  "f7 fb: d1ee228a80000000 dfcac60cffffffff 149da4e5ffffffff 40 -> #DE",
  "48 f7 fb: 64 0 7 8d5 -> e 2 811",
  "48 f7 fb: ffffffffffffffff ffffffffffffffff ffffffffffffffff 8d4 -> 1 0 810",
  "48 f7 fb: ffffffffffffffff 7fffffffffffffff 8000000000000000 8d5 -> #DE",
  "48 f7 fb: 0 0 0 1 -> #DE",
  "48 f7 fb: 0 8000000000000000 ffffffffffffffff 40 -> #DE",
  "48 f7 fb: fffffffffffffff9 ffffffffffffffff 2 8d4 -> fffffffffffffffd ffffffffffffffff 810",
  "48 f7 fb: 7 0 fffffffffffffffe 8d5 -> fffffffffffffffd 1 811",
  "48 f7 fb: fffffffffffffff9 ffffffffffffffff fffffffffffffffe 801 -> 3 ffffffffffffffff 811",
  "48 f7 fb: 0 1 1 40 -> #DE",
  "48 f7 fb: ffffffffffffffff 0 1 0 -> #DE",
  "48 f7 fb: c0bcadff11375d6 6b17d90de479999b a63290349ac4175d 1 -> #DE",
  "48 f7 fb: 2d0fb1fc8b37acd2 435db2a0 9ffaffe1 8d5 -> 6bcc7c45d9e6664f 8da91063 811",
  "48 f7 fb: 0 8000000000000000 8000000000000000 8d4 -> #DE",
  "48 f7 fb: 8000000000000000 ffffffffffffffff ffffffffffffffff 0 -> #DE",
];

const machine = new ArithMachine();

Deno.test("muldiv: host-recorded results, flags and divide errors", () => {
  for (const row of VECTORS.map(parseRow)) {
    const [rax, rdx, rbx, flags] = row.inputs;
    const out = machine.run(row.code, { rax, rdx, rbx }, Number(flags));
    if (row.outputs === null) {
      assert.equal(out.vector, VEC_DE, row.text);
      assert.equal(out.regs.rax, rax, `#DE leaves rax: ${row.text}`);
      assert.equal(out.regs.rdx, rdx, `#DE leaves rdx: ${row.text}`);
      assert.equal(out.flags, Number(flags), `#DE leaves flags: ${row.text}`);
      continue;
    }
    const [eRax, eRdx, eFlags] = row.outputs;
    assert.equal(out.vector, -1, row.text);
    assert.equal(hex(out.regs.rax), hex(eRax), `rax: ${row.text}`);
    assert.equal(hex(out.regs.rdx), hex(eRdx), `rdx: ${row.text}`);
    assert.equal(hex(out.flags), hex(eFlags), `flags: ${row.text}`);
  }
});

Deno.test("muldiv: memory operands", () => {
  machine.writeQword(DATA, 0xffff_ffff_0000_0007n);
  // div dword [rbx]: 0x1_0000_0000 / 7
  let out = machine.run([0xf7, 0x33], { rax: 0n, rdx: 1n, rbx: BigInt(DATA) }, 0);
  assert.equal(out.regs.rax, 0x24924924n);
  assert.equal(out.regs.rdx, 4n);
  // imul rax, [rbx], 3 (69 /r with a 64-bit memory operand)
  out = machine.run([0x48, 0x69, 0x03, 3, 0, 0, 0], { rbx: BigInt(DATA) }, 0);
  assert.equal(hex(out.regs.rax), hex(0xffff_fffd_0000_0015n));
  assert.equal(out.flags & 0x801, 0, "no signed overflow");
});

Deno.test("muldiv: idiv of INT_MIN by -1 raises #DE at every size", () => {
  const cases: [number[], bigint, bigint][] = [
    [[0xf6, 0xfb], 0x8000n, 0n], // idiv bl: AX = -32768
    [[0x66, 0xf7, 0xfb], 0x8000n, 0xffffn], // idiv bx: DX:AX = -2^31
    [[0xf7, 0xfb], 0x8000_0000n, 0xffff_ffffn], // idiv ebx
    [[0x48, 0xf7, 0xfb], 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn], // idiv rbx
  ];
  for (const [code, rax, rdx] of cases) {
    const out = machine.run(code, { rax, rdx, rbx: -1n }, 0);
    assert.equal(out.vector, VEC_DE, code.join(" "));
  }
});

// ---- the wide helpers against BigInt ------------------------------------------------------------

const M32 = (1n << 32n) - 1n;
const M64 = (1n << 64n) - 1n;
let seed = 0x1234567;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
/** Random 64-bit values of every magnitude (so each fast path and the BigInt path is used). */
function rand64(): bigint {
  const v = (BigInt(rand32()) << 32n) | BigInt(rand32());
  return v >> BigInt(rand32() % 64);
}
const lo = (v: bigint) => Number(v & M32);
const hi = (v: bigint) => Number((v >> 32n) & M32);
const wide128 = () =>
  (BigInt(wide[3]) << 96n) | (BigInt(wide[2]) << 64n) | (BigInt(wide[1]) << 32n) |
  BigInt(wide[0]);

Deno.test("muldiv: 32x32 and 64x64 products match BigInt", () => {
  for (let k = 0; k < 20000; k++) {
    const a = rand64(), b = rand64();
    mulU64(lo(a), hi(a), lo(b), hi(b));
    assert.equal(wide128(), a * b, `${a} * ${b}`);
    const sa = BigInt.asIntN(64, k & 1 ? a : -a), sb = BigInt.asIntN(64, k & 2 ? b : -b);
    mulS64(lo(sa), hi(sa), lo(sb), hi(sb));
    assert.equal(wide128(), BigInt.asUintN(128, sa * sb), `${sa} * ${sb} (signed)`);
    const a32 = a & M32, b32 = b & M32;
    mulU32(Number(a32), Number(b32));
    assert.equal((BigInt(wide[1]) << 32n) | BigInt(wide[0]), a32 * b32);
    mulS32(Number(a32), Number(b32));
    const s = BigInt.asIntN(32, a32) * BigInt.asIntN(32, b32);
    assert.equal((BigInt(wide[1]) << 32n) | BigInt(wide[0]), BigInt.asUintN(64, s));
  }
});

Deno.test("muldiv: 64/32 and 128/64 divisions match BigInt, overflow detected", () => {
  for (let k = 0; k < 20000; k++) {
    const d = rand64() || 1n;
    const q = rand64() & (k & 4 ? M64 : M32);
    const r = d > 1n ? rand64() % d : 0n;
    const n = k & 8 ? q * d + r : (rand64() << 64n) | rand64();
    const n3 = Number((n >> 96n) & M32), n2 = Number((n >> 64n) & M32);
    const fits = n / d <= M64;
    assert.equal(divU128by64(n3, n2, hi(n), lo(n), lo(d), hi(d)), fits, `${n} / ${d}`);
    if (fits) {
      assert.equal((BigInt(wide[1]) << 32n) | BigInt(wide[0]), n / d, `${n} / ${d}`);
      assert.equal((BigInt(wide[3]) << 32n) | BigInt(wide[2]), n % d, `${n} % ${d}`);
    }
    const d32 = d & M32 || 1n, n64 = n & M64;
    const fits32 = n64 / d32 <= M32;
    assert.equal(divU64by32(hi(n64), lo(n64), Number(d32)), fits32);
    if (fits32) {
      assert.equal(BigInt(wide[0]), n64 / d32);
      assert.equal(BigInt(wide[2]), n64 % d32);
    }
  }
});
