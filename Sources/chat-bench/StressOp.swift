import Foundation

/// The kinds of operation a stress user can do; `--ops` enables a subset.
enum StressOp: String, CaseIterable, Sendable {
    case create, join, leave, message, history, list, info
    // Routes still being built; enable with --ops once the engine has them (SPEC §5 payloads).
    case dm, react, edit, delete, typing, presence, reply
    /// `sync` from what the user held after its last sync, then forward paging (SPEC §10).
    case sync

    /// Those the engine implements today.
    static let implemented: [StressOp] = [.create, .join, .leave, .message, .history, .list, .info]

    /// Relative frequency: mostly messages, as in a real chat.
    var weight: Int {
        switch self {
        case .message: 40
        case .join: 12
        case .leave: 5
        case .create: 3
        case .history: 8
        case .list: 3
        case .info: 5
        case .dm, .react, .typing: 5
        case .edit, .presence, .reply, .sync: 3
        case .delete: 2
        }
    }

    /// Parses a comma list such as `create,join,message`.
    static func parse(_ list: String) throws -> [StressOp] {
        try list.split(separator: ",").map { name in
            guard let op = StressOp(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw StressError("unknown op '\(name)'; known: \(allCases.map(\.rawValue).joined(separator: ","))")
            }
            return op
        }
    }

    /// Draws an op with the weights above.
    static func pick(from ops: [StressOp], using rng: inout some RandomNumberGenerator) -> StressOp {
        var ticket = Int.random(in: 0..<ops.reduce(0) { $0 + $1.weight }, using: &rng)
        for op in ops {
            ticket -= op.weight
            if ticket < 0 { return op }
        }
        return ops[0]
    }
}

/// A stress run that cannot start or go on (bad options, engine would not start).
struct StressError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
