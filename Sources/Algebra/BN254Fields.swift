import BigNum
import CFieldArithmetic

/// BN254's base field, p = 21888242871839275222246405745257275088696311157297823662689037894645226208583.
public enum FqParameters: MontgomeryParameters {
    @inlinable public static var modulusLimbs: Limbs4 {
        (0x3c20_8c16_d87c_fd47, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
    }
    @inlinable public static var negatedInverse: UInt64 { 0x87d2_0782_e486_6389 }
    @inlinable public static var rModulus: Limbs4 {
        (0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    }
    @inlinable public static var rSquared: Limbs4 {
        (0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    }
    @inlinable public static var topLimbMask: UInt64 { 0x3fff_ffff_ffff_ffff }
    public static let modulus = BigInt("21888242871839275222246405745257275088696311157297823662689037894645226208583")!
    public static let exponents = PrimeFieldExponents(modulus: modulus)
}

/// BN254's scalar field (the group order r), with 2-adicity 28 and multiplicative generator 5.
public enum FrParameters: FFTParameters {
    @inlinable public static var modulusLimbs: Limbs4 {
        (0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
    }
    @inlinable public static var negatedInverse: UInt64 { 0xc2e1_f593_efff_ffff }
    @inlinable public static var rModulus: Limbs4 {
        (0xac96_341c_4fff_fffb, 0x36fc_7695_9f60_cd29, 0x666e_a36f_7879_462e, 0x0e0a_77c1_9a07_df2f)
    }
    @inlinable public static var rSquared: Limbs4 {
        (0x1bb8_e645_ae21_6da7, 0x53fe_3ab1_e35c_59e3, 0x8c49_833d_53bb_8085, 0x0216_d0b1_7f4e_44a5)
    }
    @inlinable public static var topLimbMask: UInt64 { 0x3fff_ffff_ffff_ffff }
    public static let modulus = BigInt("21888242871839275222246405745257275088548364400416034343698204186575808495617")!
    public static let exponents = PrimeFieldExponents(modulus: modulus)
    public static var twoAdicity: Int { 28 }
    public static var multiplicativeGenerator: UInt64 { 5 }
}

/// BN254 base field element.
public typealias Fq = MontgomeryField<FqParameters>
/// BN254 scalar field element (circuit values, exponents, witness entries).
public typealias Fr = MontgomeryField<FrParameters>

// MULX/ADCX/ADOX kernels (Sources/CFieldArithmetic) where the CPU has them: about 30% faster than
// the portable Swift CIOS on this project's machines (Benchmarks/). Both paths are tested against GMP.
#if arch(x86_64)
/// Runs an assembly kernel on Montgomery limbs when the CPU has it, the portable CIOS otherwise.
@inlinable @inline(__always)
func product<P: MontgomeryParameters>(
    _ a: MontgomeryField<P>, _ b: MontgomeryField<P>, kernel: (zk_fe256, zk_fe256) -> zk_fe256
) -> MontgomeryField<P> {
    guard zk_use_adx() != 0 else { return MontgomeryField.montgomeryProduct(a, b) }
    let r = kernel(zk_fe256(l: a.montgomeryLimbs), zk_fe256(l: b.montgomeryLimbs)).l
    return MontgomeryField(montgomeryLimbs: r.0, r.1, r.2, r.3)
}

extension FqParameters {
    @inlinable @inline(__always)
    public static func product(_ a: Fq, _ b: Fq) -> Fq { Algebra.product(a, b, kernel: zk_bn254_fq_mul_adx) }

    @inlinable @inline(__always)
    public static func square(_ a: Fq) -> Fq { Algebra.product(a, a, kernel: { x, _ in zk_bn254_fq_sqr_adx(x) }) }
}

extension FrParameters {
    @inlinable @inline(__always)
    public static func product(_ a: Fr, _ b: Fr) -> Fr { Algebra.product(a, b, kernel: zk_bn254_fr_mul_adx) }

    @inlinable @inline(__always)
    public static func square(_ a: Fr) -> Fr { Algebra.product(a, a, kernel: { x, _ in zk_bn254_fr_sqr_adx(x) }) }
}
#endif

/// Whether multiplication uses the MULX/ADCX/ADOX kernels (false on other CPUs or with ZKINFER_NO_ADX=1).
public var fieldArithmeticUsesADX: Bool {
    #if arch(x86_64)
    return zk_use_adx() != 0
    #else
    return false
    #endif
}
