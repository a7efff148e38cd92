import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// Constrains `variable` to 0 or 1 with b·(b − 1) = 0.
    public mutating func enforceBoolean(_ variable: Variable) {
        enforce(LinearCombination(variable), LinearCombination(variable) - .constant(.one), LinearCombination())
    }

    /// A new intermediate wire constrained to be a bit.
    public mutating func allocateBit(_ bit: Bool) -> Variable {
        let variable = allocate(.intermediate, value: bit ? .one : .zero)
        enforceBoolean(variable)
        return variable
    }
}
