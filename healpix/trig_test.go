package healpix

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestTrigMatchesMath checks that sinCos returns exactly math.Sincos's
// bits. Only on amd64 and 386, where the math package is not compiled with
// fused multiply-adds; elsewhere math itself differs from amd64 in the last
// bit, which is the reason sinCos exists.
func TestTrigMatchesMath(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		t.Skipf("math.Sincos may fuse multiply-adds on %s", runtime.GOARCH)
	}
	rng := rand.New(rand.NewPCG(41, 42))
	check := func(x float64) {
		s, c := sinCos(x)
		ms, mc := math.Sincos(x)
		if math.Float64bits(s) != math.Float64bits(ms) || math.Float64bits(c) != math.Float64bits(mc) {
			t.Fatalf("sinCos(%v) = %v, %v; math.Sincos %v, %v", x, s, c, ms, mc)
		}
		if x >= 0 && x <= math.Pi && math.Float64bits(c) != math.Float64bits(math.Cos(x)) {
			t.Fatalf("cos(%v) = %v, math.Cos %v", x, c, math.Cos(x))
		}
	}
	for k := 0; k < 2000000; k++ {
		check((2*rng.Float64() - 1) * 2 * math.Pi)
	}
	for k := -64; k <= 64; k++ { // octant boundaries and their neighbours
		x := float64(k) * math.Pi / 8
		check(x)
		check(math.Nextafter(x, math.Inf(1)))
		check(math.Nextafter(x, math.Inf(-1)))
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 5e-324, math.Pi / 2, math.Pi, -math.Pi, 2 * math.Pi} {
		check(x)
	}
}

// trigGolden holds x, sin x and cos x as float64 bits, from math.Sincos on
// amd64 (where math does not fuse multiply-adds). sinCos must reproduce
// them on every architecture; scripts/ci.d/healpix-arm64.sh runs this test
// on arm64.
var trigGolden = [][3]uint64{
	{0x3fce08d390c68ce0, 0x3fcdc277176904f9, 0x3fef1f83ed8d295a},
	{0xc005633d22fcac85, 0xbfdce0d9c54755b5, 0xbfec8ea127393808},
	{0x40022a0e13321249, 0x3fe87af7c9a69495, 0xbfe49bcaa6c26417},
	{0x3ff3105241c0915b, 0x3fedb9b5e720f84b, 0x3fd7b2af923313cf},
	{0x3ff84810deb47d4e, 0x3feff468be122591, 0x3fab3a04ac22556e},
	{0x40018ff94126a51c, 0x3fe9f5ca2dda4491, 0xbfe2b5d1086d0a92},
	{0xbfd5136198bbcd1b, 0xbfd4b2648bb15a0b, 0x3fee47d06bda2247},
	{0xbfcf0081afd15e70, 0xbfceb3236662786a, 0x3fef10e44328457f},
	{0xbff97dc813cbb02b, 0xbfeffdf152661381, 0xbf96f2b1f8b53613},
	{0xbffb104d923fee06, 0xbfefc46a6ecf7ef3, 0xbfbed1f4878ed8b0},
	{0x3ff588a195bba40e, 0x3fef319fe692b497, 0x3fcc8ccdd75c4244},
	{0xbf7c7309e002ac1b, 0xbf7c72fae25ba7b3, 0x3fefffcd6a2fa5d3},
	{0x3fdcb08a75d541db, 0x3fdbbd04d4313adb, 0x3fecd698f9e3e7a0},
	{0xbffc000db051f083, 0xbfef7ccb3762cb6d, 0xbfc6d1300b68a920},
	{0x3fffb89d04334efd, 0x3fed533eb188764c, 0xbfd99d7b0acd149b},
	{0xbfe7860132bcc4e4, 0xbfe5761b31e57ab7, 0x3fe7bc7bf7397423},
	{0x40049a25d47f8185, 0x3fe12b4a92a19b3e, 0xbfeb010d2287a31f},
	{0xbfe69e777d5f0402, 0xbfe4c830883f7db4, 0x3fe85552506b4f77},
	{0x3ff29188d3323093, 0x3fed582fcc834024, 0x3fd986cdbda9310b},
	{0xbfb8345b1204aa6c, 0xbfb82b20b915bf70, 0x3fefdb693e97e703},
	{0xc0050112cf03da2c, 0xbfdf94ec03ce9fbd, 0xbfebd51f688c9e29},
	{0x3ffc4c80a19e71f0, 0x3fef6022d098ab8d, 0xbfc929ee8bf7aee0},
	{0x4002c66934018043, 0x3fe6d651eafbf43a, 0xbfe66a6a3c882a77},
	{0xbfdd129d3f6db970, 0xbfdc1546430e9bfc, 0x3fecc1365c370e58},
	{0xbfb452ac6dc5bb5d, 0xbfb44d35e6238c1e, 0x3fefe6331e08bda8},
	{0x3fdc9c37aa97a956, 0x3fdbaab2b1ca57c8, 0x3fecdafeff7931cf},
	{0xbfeb1c75fb3ab3ed, 0xbfe7fb753bb3c566, 0x3fe52fa5010d6840},
	{0xc006f13cd78b4ebf, 0xbfd14e1cdfadfad1, 0xbfeeced9607778b1},
	{0x3fc791b8312d8bce, 0x3fc76fae62b12219, 0x3fef7583d3f61d98},
	{0x3fd38404608dc3b5, 0x3fd336f38d1e62c2, 0x3fee86146ebbc34e},
	{0xbff662fee67e450f, 0xbfef87a4e7e187d4, 0x3fc5dc51cb48b650},
	{0xbff907e8ae024f0d, 0xbfefffd5835753f9, 0x3f7a129ab7d90d8c},
	{0x3ff5138b4b7cfd66, 0x3feefa232d4cfcbf, 0x3fd00d6579603927},
	{0x40053819e435c05a, 0x3fde132904762be1, 0xbfec3f27945e46d3},
	{0x3fe51a4413f2fc4e, 0x3fe39b22428cba06, 0x3fe94a58a51d9f9a},
	{0xbfbd2c1ed4c9b18e, 0xbfbd1bf7c7e19c7a, 0x3fefcade510cb116},
	{0x3ff0271bc1137143, 0x3feb1746b47d5f14, 0x3fe1082377ccbf8e},
	{0x4007636e304db6d3, 0x3fcbb0578156017f, 0xbfef3e092c2c8469},
	{0x3ff1e608103b7d0e, 0x3fecc8d56e662cc5, 0x3fdbf5f9c0da4c42},
	{0xc0060e45d6da447f, 0xbfd803718d1ab545, 0xbfeda97d9356f002},
	{0x3ffc2abb2e87e742, 0x3fef6d242444582e, 0xbfc820d15e6d9a03},
	{0x3fd2c17f79227351, 0x3fd27d104968f19f, 0x3feea2ba82996a1a},
	{0xbfe26a04fe69bd65, 0xbfe16a21b2af5f6b, 0x3fead8b1bacd334f},
	{0x40073b3d371653e2, 0x3fce22c582bef67e, 0xbfef19b8ae274899},
	{0xbfe3a79523020c48, 0xbfe27122c38e31c6, 0x3fea26c1357ad2b2},
	{0x40066ee29d7b93f3, 0x3fd5307072c76b03, 0xbfee31fd29db02d2},
	{0x3ff62960a409d640, 0x3fef732a5a81301c, 0x3fc7a1ec9edd36a9},
	{0x3ffc4ff13c187b59, 0x3fef5ec7d9add8a8, 0xbfc944e9507fc231},
	{0xbff127e2297aff0e, 0xbfec1acec7156565, 0x3fde9a2ed8b3d92f},
	{0x3ffbd1309649bb3c, 0x3fef8cf93d928c48, 0xbfc55fe89ed41d10},
	{0x3fba508ea7b64da9, 0x3fba44b345cb8d61, 0x3fefd4c25b50d591},
	{0x3fdd0db5fa43e7b7, 0x3fdc10de3643e458, 0x3fecc249ae5f7386},
	{0xc007dd06ef3ce778, 0xbfc4397c6b0bd257, 0xbfef991874559c7c},
	{0x40007795fbff1fcb, 0x3fec45523a31f121, 0xbfddfbf2c84fff1a},
	{0xbff6e38b2382f05f, 0xbfefaf9213197c1a, 0x3fc1e474daacff4d},
	{0xbfd74948fad0c723, 0xbfd6c69f318cdd62, 0x3fede7b4998b2bce},
	{0xc00553c893b314c9, 0xbfdd4efaa01f1e44, 0xbfec7286c0fe8fb3},
	{0x40063ea6d7bd6bd1, 0x3fd69b01cd5d83e9, 0xbfedeff968c543f8},
	{0xc003137edeccfbbc, 0xbfe5fa3dfd8d5b62, 0xbfe7425927eef570},
	{0xbff4e6dbeb0a6de9, 0xbfeee34016bcae1a, 0x3fd0ba2cd5021ea5},
	{0x4002f81f89988747, 0x3fe64951d6121ea4, 0xbfe6f69f1e7b161b},
	{0xc001823e0fef50bc, 0xbfea15c1217e7044, 0xbfe28926b541e43e},
	{0x3fe319538c2144cc, 0x3fe1fc2c7576e318, 0x3fea77b9977f3449},
	{0xbff640ed0a89644b, 0xbfef7bba508d47bb, 0x3fc6e8ad310df8e1},
	{0x3fcafdae938eeeb0, 0x3fcaca96e3213bd9, 0x3fef4a8bcbbeea63},
	{0x3fffc6f1bcc1cbb9, 0x3fed47ba38c72438, 0xbfd9d1f8f9b760d5},
	{0xbff42d95ba2cd3ff, 0xbfee7a590ba65663, 0x3fd380e34a4e7364},
	{0x3ffc28d6a691ea72, 0x3fef6dda976b21c5, 0xbfc811f270f98ee6},
	{0x40080ae39dad4570, 0x3fc163ac66ec0dd7, 0xbfefb40cf19d7411},
	{0x40003e8f624267ef, 0x3fecad5e6ecc4f31, 0xbfdc65fbea37b1b4},
	{0xc0031a46e9216ffa, 0xbfe5e67ebeed77d2, 0xbfe754f2055dfc32},
	{0x3ff33cc8bc451ab7, 0x3fedda30655e461d, 0x3fd70d1f435d2545},
	{0x3fe6706e2c377273, 0x3fe4a51956c3f9e0, 0x3fe8731eea8da65e},
	{0xbfe3306d886d5bc9, 0xbfe20f434fa1ab6b, 0x3fea6ab6d8342b84},
	{0x4000231c9de2496b, 0x3fecdd6d10c1e986, 0xbfdba08d3b6ae011},
	{0x400161b2f3bbe4ef, 0x3fea604f6a178ef8, 0xbfe21e71e2ddaf10},
	{0xc005d7c225921b67, 0xbfd995788660a3d5, 0xbfed54fe249909e0},
	{0x3ffa1d642c59cbfb, 0x3feff092d14b8875, 0xbfaf680e0f1443e8},
	{0xbffee283102490fa, 0xbfedf44bc19f3a21, 0xbfd6840fc757f142},
	{0xc001631b2f55c8e4, 0xbfea5d1f20a55913, 0xbfe223154d8dbade},
	{0x400108031a98ac7a, 0x3feb24e6813a0c10, 0xbfe0f26468e181b9},
	{0x3ff8847499c2f605, 0x3feff9f148746d99, 0x3fa3af9939e8fba1},
	{0x3ff9dbbbd8057351, 0x3feff793e1a82ef1, 0xbfa73606f1e3c101},
	{0x3fcc022d5d9dc015, 0x3fcbc918632ccc2a, 0x3fef3ca9858257a0},
	{0x4007de152827c6d8, 0x3fc428cefee3f009, 0xbfef99c2f6ee390e},
	{0x3ff899e089d4dda4, 0x3feffb7a53a705fc, 0x3fa1028c2268faf2},
	{0xc001f6f731adaa63, 0xbfe8fc9d3d82f15b, 0xbfe3fdd4a539a4a7},
	{0xbffe810139f4fcb3, 0xbfee36b98d32148f, 0xbfd5155e47f59b61},
	{0x3ffbeee54c858c2c, 0x3fef82d71284b8dd, 0xbfc64a12b58875c3},
	{0xc0077ff26255cf0c, 0xbfc9f235bccc4ac9, 0xbfef55ef2c76c244},
	{0x4003e40af361b20f, 0x3fe37fd0b2cb6ee4, 0xbfe95f6ebf357b5e},
	{0x40061c217ce44282, 0x3fd79c8a12405ed7, 0xbfedbe1d7cb6c85e},
	{0xc002bb0a641eb1cd, 0xbfe6f616ca328644, 0xbfe649de4b1c17ad},
	{0x3ffcdebbccf50e14, 0x3fef2188c4b57349, 0xbfcda09a685bb4b8},
	{0xc007cd27e64c7bd2, 0xbfc53413ec6eeb72, 0xbfef8ed2639635d3},
	{0xc00208c80c8d425d, 0xbfe8cfda1e2df668, 0xbfe43548063f423a},
	{0x3fb61cd31d033726, 0x3fb615c9bb157d26, 0x3fefe175647406db},
	{0xbff76395e44b0df8, 0xbfefcf65f8d792de, 0x3fbbd835a1d7da20},
	{0x3ffd91bbe455d023, 0x3feec71669b92562, 0xbfd185043cc30bf8},
	{0x3fe6cc33322ed88e, 0x3fe4eae1fb00c8d6, 0x3fe83786154b7c1f},
	{0xbff5b791eed056b6, 0xbfef4609f898025d, 0x3fcb1e48023c90d5},
	{0x3ff92eb39ed5762b, 0x3feffff5e345fa01, 0xbf69709274906c2e},
	{0xbffe4d7c7eee7db7, 0xbfee580e34b509f4, 0xbfd4526024f5b5f7},
	{0xbff449c8960ffba3, 0xbfee8b59739929c7, 0x3fd315573dab2976},
	{0x3ffb8710eb781588, 0x3fefa467cd0d90a3, 0xbfc31661a14d5236},
	{0x3ffb6121f1f78a40, 0x3fefaf5f0aec76ce, 0xbfc1ea19e99a5775},
	{0x4004f6c01803ba4d, 0x3fdfdca5fda81b0f, 0xbfebc0a7ea3d44ec},
	{0x40004af7a07fd5cf, 0x3fec97367849b3e1, 0xbfdcbecd147ac42d},
	{0xbfc515b9226636d6, 0xbfc4fd5876168560, 0x3fef911bb984a1bf},
	{0xbff29829b9ec1ed0, 0xbfed5d76e859815a, 0x3fd96e7b37abc4aa},
	{0x4002aaea34e32edf, 0x3fe722d56dd5b4a9, 0xbfe61b68953bd4f7},
	{0xbfd40396d9546128, 0xbfd3b07ce85fe088, 0x3fee72b1552d5740},
	{0xbffc70ec76b22d44, 0xbfef517f9721833c, 0xbfca475b6fba5597},
	{0xbff8ae4df04b5ae8, 0xbfeffcbbba66b98e, 0x3f9cea5d10b49fb5},
	{0xbfff6df5eb8d7add, 0xbfed8dc09614244f, 0xbfd88ac194a1ae9a},
	{0xc0064b6f5603cbd5, 0xbfd63b389e2a84ac, 0xbfee01e2ae58778e},
	{0xbffba809f9f7565f, 0xbfef9a4f2b045edc, 0xbfc41b0dcc097798},
	{0x3fe9ec0ca6fa583b, 0x3fe72db9be0eb20f, 0x3fe60ffcd9b19a09},
	{0x3fe2740fdae7757d, 0x3fe1728dab40a09c, 0x3fead33954c48ab2},
	{0x3ffa573e483ad094, 0x3fefe8a92bb043db, 0xbfb34f7c08bbaccb},
	{0xbff7fe4cb027f2d9, 0xbfefeb3cd72403aa, 0x3fb236f8c0831708},
	{0x4000ec3aa3161187, 0x3feb5f1d1655d62c, 0xbfe093ba3a4cb19e},
	{0x3fff60e49c05e181, 0x3fed97bc5efb22bc, 0xbfd85a731e980813},
	{0x4001345dffeaf8c7, 0x3feac5517c9b5288, 0xbfe187dc4bf8bcea},
	{0x3fa3c4b14509243a, 0x3fa3c36f69011be8, 0x3feff9e50bf4e186},
	{0x3ffe4506c6140adf, 0x3fee5d695139dc89, 0xbfd43246bc158efd},
	{0xbfd242c1038ec5f6, 0xbfd20395425ba5a8, 0x3feeb4cd023af9d5},
	{0x3fb947f945417aa5, 0x3fb93d7591029fdd, 0x3fefd81620279185},
	{0x40064c69193b74bc, 0x3fd633e6c6004457, 0xbfee033d7e1799d6},
	{0xbff4594cc9662bfe, 0xbfee948becc8155b, 0x3fd2da1046b838c2},
	{0xbfda327c3714383a, 0xbfd978c4542f9710, 0x3fed5b3c45d5e92d},
	{0x3fd3b31a7770b1dd, 0x3fd363d855cd5c36, 0x3fee7efaae3a0ff4},
	{0x4002c41afade4321, 0x3fe6dcc6c04f81f6, 0xbfe663d46d1c24ab},
	{0x3ff84d36d2a821cc, 0x3feff4f34202df5d, 0x3faa958073e5cd2f},
	{0xc0046cc5e1e48bee, 0xbfe1c35cffa2209c, 0xbfea9dfb66f678f0},
	{0xc0083b987ebf069e, 0xbfbcbcd09e33c007, 0xbfefcc388d58dcdc},
	{0x4007ece8c582a622, 0x3fc33e68fcf35266, 0xbfefa2e3d6f7efea},
	{0x4006a58b90daab34, 0x3fd391f0339d2b92, 0xbfee779d6e4a0e52},
	{0xbfc6598dd11f35f8, 0xbfc63c8672db8adf, 0x3fef837036cecbfc},
	{0x3fff54fa736ae19a, 0x3feda0c5758bed7d, 0xbfd82e5992967c58},
	{0x3fec4c5b7575126a, 0x3fe8c063255e907c, 0x3fe448362400bce6},
	{0xc001b1e6b806065c, 0xbfe9a5884a0d3298, 0xbfe3233ff2a8f7f8},
	{0x4001a5b02e3d999e, 0x3fe9c2a1b360a9af, 0xbfe2fc02914e5839},
	{0xc008e2976d154290, 0xbf9fb0a7f005f9a2, 0xbfeffc137fd69045},
	{0xbfa2385678be5599, 0xbfa2375a77238544, 0x3feffad041a3a323},
	{0xbffa6a525c21d1ab, 0xbfefe5b1a95b57c7, 0xbfb47fd0a17ddf3e},
	{0x4002495c832865d9, 0x3fe8299765db01af, 0xbfe4faf86c41b307},
	{0xbfe76866a93ea0b9, 0xbfe5601c94977b44, 0x3fe7d04c79665cd4},
	{0xc006c9379ba61231, 0xbfd2817c20716a7c, 0xbfeea20fa8589ff9},
	{0x3fd919de276482de, 0x3fd8766365057d8d, 0x3fed91f905a423d0},
	{0x4003ba65eab70f65, 0x3fe402dab1a429a6, 0xbfe8f89776d9ec06},
	{0xc001a258fdc80521, 0xbfe9ca8cdcc5af13, 0xbfe2f13f2c9bb51c},
	{0x3fff1e5a026353ec, 0x3fedc95fec27d349, 0xbfd7637ec630892c},
	{0xbfe772f9ee067e5a, 0xbfe567fa1995d784, 0x3fe7c93ac43c62ce},
	{0xbfde9b5856984038, 0xbfdd7413dc42719b, 0x3fec68f0e8ae921a},
	{0xc00724e09c0a047a, 0xbfcf7e08fd3f48cb, 0xbfef04302cafea81},
	{0x3fed1847758c3f17, 0x3fe93fa8da8d8940, 0x3fe3a8e3828622c7},
	{0xc00894f4c066970c, 0xbfb19d41b1a0e243, 0xbfefec95e71d9588},
	{0xbff39a1b3b2a4313, 0xbfee1b6cb5427dbc, 0x3fd5af629c633fcc},
	{0xbfe3af3a6203baa0, 0xbfe27761c254af75, 0x3fea22587b2b4b89},
	{0xc007633b72b0a108, 0xbfcbb370200a89e0, 0xbfef3ddd421df097},
	{0xbffb2527c237e872, 0xbfefbf4a1e6b9ac6, 0xbfc00e87e065dfe8},
	{0xbff582afbdf54bcf, 0xbfef2ef6dce525c6, 0x3fccbb27e64b090f},
	{0xbff66d0a59e34040, 0xbfef8b0d07178c41, 0x3fc58d2022c69489},
	{0x400242cf41053337, 0x3fe83abdf8a955db, 0xbfe4e7278eea11d4},
	{0xc00699de6e2174f2, 0xbfd3eacaea98b839, 0xbfee6934e63c32ad},
	{0x3fe15aa8d1164c2a, 0x3fe08411ce6d22f9, 0x3feb6892998c0394},
	{0xc0059fdfcd58f09c, 0xbfdb2cc7c432b269, 0xbfecf8d9a20b80cf},
	{0xbffbdeea7a24734b, 0xbfef8858115f38f0, 0xbfc5cc251b4999c9},
	{0x4006eabc2221669c, 0x3fd1802cb91f5164, 0xbfeec7c6b3cebb47},
	{0xc007b56e8661db3f, 0xbfc6aa0c03f72d96, 0xbfef7e8f745e1d60},
	{0x3fcddf1d13421eae, 0x3fcd99e3a53cfedc, 0x3fef21eef465855a},
	{0xbfef46e2463abf0f, 0xbfea878f6c915630, 0x3fe1e4c876119bb2},
	{0x3ff2bd205c45a8ba, 0x3fed7a88bea5e140, 0x3fd8e689edeef08e},
	{0x4004faa591212492, 0x3fdfc1999b7c4d7f, 0xbfebc866f59acecd},
	{0xbfdaebde11f8915f, 0xbfda2269c4f4d9a1, 0x3fed35dd4d77f476},
	{0x4005aefe160ea6f9, 0x3fdabf16f5ef51c6, 0xbfed125341ad5957},
	{0xbfec8daae20682a8, 0xbfe8e99480c8279c, 0x3fe41587d0d6f271},
	{0x40054b98630872cd, 0x3fdd892701c72c48, 0xbfec6378199526ac},
	{0x3ffe7a717476786c, 0x3fee3b09bdf0b86f, 0xbfd4fc947b88669f},
	{0x400268fa1a2afc76, 0x3fe7d5f1c3b6b379, 0xbfe559d0c1e84bec},
	{0x4001332fa05a2328, 0x3feac7e7cc0da4bc, 0xbfe183e8428264b3},
	{0xbff15aab257be21b, 0xbfec4ad20108b01c, 0x3fdde72c3d5ab175},
	{0x3fedc7a929baeb0c, 0x3fe9a9eb3092ead1, 0x3fe31d5dbb1d929a},
	{0xbfd6dd48817b811d, 0xbfd66190807b8ed0, 0x3fedfac1a796b40d},
	{0xbff6be3eb1e6b508, 0xbfefa4ce91a57618, 0x3fc30bb8c4507392},
	{0xc007caa187ceba69, 0xbfc55be9e3da035c, 0xbfef8d2487519757},
	{0xc008a63090e79c1a, 0xbfaeedde0251ba69, 0xbfeff10a0c7ed79f},
	{0xbfe45529e8e5abe2, 0xbfe2fdebd61a4559, 0x3fe9c139047ce284},
	{0x40067455bd2972cd, 0x3fd507480293d7ec, 0xbfee392dc0feca28},
	{0xbff3bd09765938b8, 0xbfee32d0ac53cebd, 0x3fd52bba3ac680e6},
	{0x4005e105733f4e55, 0x3fd9517aaa3f18b4, 0xbfed63ba29c088ee},
	{0xc00250e9dfdb9796, 0xbfe815be50b90a06, 0xbfe511be691e6b41},
	{0x400294746d1e1c03, 0x3fe7608ac6cee4c0, 0xbfe5da1d60a1c47f},
	{0x3fa6726ed6175f9b, 0x3fa670979e344925, 0x3feff820d9d4c39d},
	{0xc003a9e334a39e90, 0xbfe436391dec8fcf, 0xbfe8cf15bad3af53},
	{0xbfe732189c529549, 0xbfe537944a0c5b45, 0x3fe7f47070c7b496},
	{0xbfe330de2b83cbe9, 0xbfe20fa04b53d821, 0x3fea6a77461a867f},
	{0xbff363f7ae5bf1b4, 0xbfedf6109401cf65, 0x3fd67aa3dc09a0fd},
	{0xbff8c4e07c939787, 0xbfeffde23dc05698, 0x3f97463290a6ebee},
	{0x400163a0292eea6f, 0x3fea5bf1991bccfc, 0xbfe224cb7ba36f86},
	{0xc002f24e26238883, 0xbfe659ff1bcf4e9c, 0xbfe6e663e9ae1a4e},
	{0x3ff996b811d757cb, 0x3feffcac5552edf1, 0xbf9d2e2c7a2af2ef},
	{0x400896c7c821aa4c, 0x3fb16303b0a1bb1c, 0xbfefed159c387329},
	{0x3ffcfef7205b658e, 0x3fef125de040c22d, 0xbfce9b379eeb660a},
	{0xbffbf6a3d47ee4f5, 0xbfef8020ec668d37, 0xbfc68712053854cd},
	{0xc006ae93b8430929, 0xbfd34d188bcab363, 0xbfee8296118afffc},
	{0x40089ce8d4ea86d3, 0x3fb09f50ffddc27a, 0xbfefeeb68044891c},
	{0x400494f579862655, 0x3fe13ccad676b163, 0xbfeaf5e49f90bb24},
	{0xc004a06bae8282e0, 0xbfe11618bad0f346, 0xbfeb0e7b35326adb},
	{0xc0077008838e486b, 0xbfcaeb5682ca5cba, 0xbfef48ca0caa55d8},
	{0x3f9c21d367eaf856, 0x3f9c20eb7ed7b040, 0x3feffce8a2073112},
	{0x40019286852708eb, 0x3fe9efd1040bb028, 0xbfe2be17efddfda3},
	{0x3fbc35ec7183ac25, 0x3fbc2750dad59b19, 0x3fefce4f7022edf1},
	{0xbffba6d5348f62a6, 0xbfef9ab0143dda0f, 0xbfc411863bf6eef7},
	{0xc0056d2fd9f0e517, 0xbfdc99bdc9e12950, 0xbfeca07f9be107d0},
	{0x3fe0a7b076ebb481, 0x3fdfd39075cd3905, 0x3febc342e3b7bc13},
	{0x3fec4666b0652192, 0x3fe8bc9c4ba8b91a, 0x3fe44cd12ce7ed97},
	{0x4003750411b3ce87, 0x3fe4d871182f9207, 0xbfe847678dbc2ef7},
	{0x4004b769b64e4409, 0x3fe0c80f9bdc4df1, 0xbfeb3f26856abd89},
	{0x4008a74bbb80e8f5, 0x3faea734294c2519, 0xbfeff14e2a895f2e},
	{0xc007072309a8ca17, 0xbfd0a531ef3a8c55, 0xbfeee61554a352d7},
	{0x3fec00d093d37a89, 0x3fe8903d14905355, 0x3fe4826bbe828b95},
	{0xbffab084cb8e410c, 0xbfefd940d8b97ae7, 0xbfb8de88fa687127},
	{0x3ffcc9bcade113c6, 0x3fef2b263e5606f2, 0xbfccfd17dd0dd60a},
	{0xc001f49137befb51, 0xbfe9029a684f7670, 0xbfe3f65616299b9c},
	{0x3ff20eab2cd96d0b, 0x3fecebfa6f7f64f5, 0x3fdb6369212a521e},
	{0xbfe5cb4170df0e1a, 0xbfe425d4be951e32, 0x3fe8dc67850c241e},
	{0xbf8e8d9305f67ae6, 0xbf8e8d48c04460c3, 0x3fefff16a1eb7c50},
	{0xbff073efaceede13, 0xbfeb67d56b2a6ba2, 0x3fe0854bb1ce1e8d},
	{0x4001411e94d6dd7e, 0x3feaa93db8153f03, 0xbfe1b272606da155},
	{0x3fe4c793df08ccca, 0x3fe3598750e587c4, 0x3fe97cad7b6bab6f},
	{0xbff0434812367dc5, 0xbfeb351a107e0677, 0x3fe0d855641486cb},
	{0x3fac03f22c47085c, 0x3fac005e21ccb35d, 0x3feff3bd545c1128},
	{0xbffc272070e28e24, 0xbfef6e7f386337d2, 0xbfc8047f2aeb5848},
	{0xc005d7fd921f51f0, 0xbfd993c4c1f7f999, 0xbfed555d262efcb3},
	{0x3ff1f263f495c242, 0x3fecd3995fae26bd, 0x3fdbc9798b98e57a},
	{0x3fdbc7b111c95c10, 0x3fdaea774f5d2692, 0x3fed084f628ea717},
	{0xbff2634f1d6dad40, 0xbfed32d5b7c60450, 0x3fda2ff10b82a138},
	{0xbff480f114a00dab, 0xbfeeab8886d2a554, 0x3fd2424ed671898b},
	{0x40084f799daebaf1, 0x3fba445be7716dbf, 0xbfefd4c37bb59312},
	{0xbff689579448b227, 0xbfef946368e42865, 0x3fc4add083a6523b},
	{0xbff4d6f8659376eb, 0xbfeedae2a9cecde4, 0x3fd0f77d173526d8},
	{0x40069e160b6e4777, 0x3fd3cab820385ef7, 0xbfee6e7099e7acec},
	{0x4008c61531a1b204, 0x3fa6f78f6b6a7403, 0xbfeff7c0ffcfcfe3},
	{0xc006c100a2f259d9, 0xbfd2c05b6f8bfc88, 0xbfee987f30f2346b},
	{0xbf8b052ad66cdf26, 0xbf8b04f777169108, 0x3fefff497ae48772},
	{0xc000b559ceca3ca5, 0xbfebce4cac4cec53, 0xbfdfaced6e898b2b},
	{0xc002e591172f44a9, 0xbfe67e597a1d9064, 0xbfe6c2afba3216e4},
	{0x4000d377de96ce6a, 0x3feb91e86e364c5f, 0xbfe03eb3a1050b5d},
	{0x3fff40d8aee318ef, 0x3fedafe479d041d1, 0xbfd7e3b785609840},
	{0x3ff8e4917fe3308f, 0x3fefff1447720603, 0x3f8eb49eca73cc42},
	{0x3ffa8a20b8e85abb, 0x3fefe05aa5a13e55, 0xbfb67aea46821fcc},
	{0x3ff1b6c57d251c71, 0x3fec9f0ca6d8aea5, 0x3fdc9f8a408072d3},
	{0xc003298de8c5c50e, 0xbfe5b9c89474c16b, 0xbfe77e99eb27823d},
	{0x3fc771ef62a41aea, 0x3fc7506e68d19802, 0x3fef76f74fcabb5c},
}

func TestTrigGoldenBits(t *testing.T) {
	mathDiffers := 0
	for _, g := range trigGolden {
		x := math.Float64frombits(g[0])
		s, c := sinCos(x)
		if math.Float64bits(s) != g[1] || math.Float64bits(c) != g[2] {
			t.Errorf("sinCos(%v) = %#x, %#x on %s, want %#x, %#x (amd64)", x, math.Float64bits(s), math.Float64bits(c), runtime.GOARCH, g[1], g[2])
		}
		if x >= 0 && math.Float64bits(cosPos(x)) != g[2] {
			t.Errorf("cosPos(%v) = %#x, want %#x", x, math.Float64bits(cosPos(x)), g[2])
		}
		if ms, mc := math.Sincos(x); math.Float64bits(ms) != g[1] || math.Float64bits(mc) != g[2] {
			mathDiffers++
		}
	}
	t.Logf("%s: math.Sincos differs from amd64 on %d of %d golden arguments; sinCos on none", runtime.GOARCH, mathDiffers, len(trigGolden))
}
