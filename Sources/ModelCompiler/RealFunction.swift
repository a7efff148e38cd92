import Foundation

/// A smooth real function the compiler approximates with a `PolynomialTable`: its float semantics, its linear
/// asymptotes (where the table hands over to an exact linear tail) and a bound on its slope for error propagation.
public struct RealFunction: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case exp, log, sigmoid, tanh, erf, gelu, geluTanh, softplus, elu, selu, celu, mish, sin, cos
    }

    public var kind: Kind
    /// Elu, Selu and Celu's α.
    public var alpha: Double
    /// Selu's γ.
    public var gamma: Double

    public init(_ kind: Kind, alpha: Double = 1, gamma: Double = 1) {
        self.kind = kind
        self.alpha = alpha
        self.gamma = gamma
    }

    public func callAsFunction(_ x: Double) -> Double {
        switch kind {
        case .exp: Foundation.exp(x)
        case .log: Foundation.log(x)
        case .sigmoid: x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        case .tanh: Foundation.tanh(x)
        case .erf: Foundation.erf(x)
        case .gelu: 0.5 * x * Foundation.erfc(-x / 2.0.squareRoot())
        case .geluTanh: 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .softplus: Self.softplus(x)
        case .elu: x > 0 ? x : alpha * Foundation.expm1(x)
        case .selu: gamma * (x > 0 ? x : alpha * Foundation.expm1(x))
        case .celu: max(0, x) + min(0, alpha * Foundation.expm1(x / alpha))
        case .mish: x * Foundation.tanh(Self.softplus(x))
        case .sin: Foundation.sin(x)
        case .cos: Foundation.cos(x)
        }
    }

    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

    /// The asymptote σ·x + c as x → −∞ (lower) and +∞ (upper); nil where there is none (the table covers the range).
    public var asymptotes: (lower: (slope: Double, intercept: Double)?, upper: (slope: Double, intercept: Double)?) {
        switch kind {
        case .exp: ((0, 0), nil)
        case .sigmoid: ((0, 0), (0, 1))
        case .tanh, .erf: ((0, -1), (0, 1))
        case .gelu, .geluTanh, .softplus, .mish: ((0, 0), (1, 0))
        case .elu, .celu: ((0, -alpha), (1, 0))
        case .selu: ((0, -gamma * alpha), (gamma, 0))
        case .log, .sin, .cos: (nil, nil)
        }
    }

    /// sup |f′| over (−∞, high] (for log, unbounded: its error comes from `Quantizer.logarithm`): |f(a) − f(b)| ≤ slopeBound·|a − b| there. (A test checks each against f′ numerically.)
    public func slopeBound(upTo high: Double) -> Double {
        switch kind {
        case .exp: Foundation.exp(high)
        case .log: .infinity
        case .sigmoid: 0.25
        case .tanh, .softplus, .celu, .sin, .cos: 1
        case .erf: 2 / Double.pi.squareRoot()
        case .gelu, .geluTanh: 1.13
        case .mish: 1.09
        case .elu: max(1, alpha)
        case .selu: gamma * max(1, alpha)
        }
    }

    /// sup f − inf f over the reals (infinite where unbounded): no input error moves f by more.
    public var span: Double {
        switch kind {
        case .sigmoid: 1
        case .tanh, .erf, .sin, .cos: 2
        default: .infinity
        }
    }

    public var name: String {
        switch kind {
        case .elu, .celu: "\(kind.rawValue)(α=\(alpha))"
        case .selu: "selu(α=\(alpha), γ=\(gamma))"
        default: kind.rawValue
        }
    }
}
