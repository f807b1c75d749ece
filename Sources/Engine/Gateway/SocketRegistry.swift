import Synchronization

/// The open WebSockets by user id; the gateway outbox looks up a user's sockets for every inbox publish.
/// It also caps them: a user's sockets (`UserLimits.socketsPerUser`) and all sockets (`socketsTotal`).
final class SocketRegistry: Sendable {
    /// Why a socket was not admitted.
    enum Refusal: Equatable {
        /// The user has `socketsPerUser` sockets open.
        case userFull
        /// `socketsTotal` sockets are open.
        case totalFull
    }

    private let sockets = Mutex<[String: [GatewaySocket]]>([:])
    /// Open sockets in all; read without the lock so an engine without web clients pays one atomic load.
    private let openCount = Atomic<Int>(0)

    init() {}

    /// Number of open sockets.
    var count: Int { openCount.load(ordering: .relaxed) }

    /// Whether one more socket of `userId` would be refused, and why; nil when it would be admitted.
    func refusal(for userId: String, limits: UserLimits) -> Refusal? {
        sockets.withLock { Self.refusal(for: userId, in: $0, open: count, limits: limits) }
    }

    /// Adds `socket` unless its user or the engine already has as many sockets as `limits` allow.
    func add(_ socket: GatewaySocket, limits: UserLimits) -> Refusal? {
        sockets.withLock { sockets -> Refusal? in
            if let refusal = Self.refusal(for: socket.userId, in: sockets, open: count, limits: limits) { return refusal }
            sockets[socket.userId, default: []].append(socket)
            openCount.add(1, ordering: .relaxed)
            return nil
        }
    }

    private static func refusal(
        for userId: String, in sockets: [String: [GatewaySocket]], open: Int, limits: UserLimits
    ) -> Refusal? {
        if (sockets[userId]?.count ?? 0) >= limits.socketsPerUser { return .userFull }
        if open >= limits.socketsTotal { return .totalFull }
        return nil
    }

    func remove(_ socket: GatewaySocket) {
        sockets.withLock { sockets in
            guard var list = sockets[socket.userId],
                  let index = list.firstIndex(where: { $0 === socket }) else { return }
            list.remove(at: index)
            sockets[socket.userId] = list.isEmpty ? nil : list
            // Under the lock, like the add, so the total the cap is checked against is exact.
            openCount.subtract(1, ordering: .relaxed)
        }
    }

    /// The open sockets of `userId`, in the order they were opened.
    func sockets(of userId: Substring) -> [GatewaySocket] {
        guard count > 0 else { return [] }
        return sockets.withLock { $0[String(userId)] ?? [] }
    }
}
