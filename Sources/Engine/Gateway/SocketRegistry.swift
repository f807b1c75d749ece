import Synchronization

/// The open WebSockets by user id; the gateway outbox looks up a user's sockets for every inbox publish.
final class SocketRegistry: Sendable {
    private let sockets = Mutex<[String: [GatewaySocket]]>([:])
    /// Open sockets in all; read without the lock so an engine without web clients pays one atomic load.
    private let openCount = Atomic<Int>(0)

    init() {}

    /// Number of open sockets.
    var count: Int { openCount.load(ordering: .relaxed) }

    func add(_ socket: GatewaySocket) {
        sockets.withLock { $0[socket.userId, default: []].append(socket) }
        openCount.add(1, ordering: .relaxed)
    }

    func remove(_ socket: GatewaySocket) {
        let removed = sockets.withLock { sockets -> Bool in
            guard var list = sockets[socket.userId],
                  let index = list.firstIndex(where: { $0 === socket }) else { return false }
            list.remove(at: index)
            sockets[socket.userId] = list.isEmpty ? nil : list
            return true
        }
        if removed { openCount.subtract(1, ordering: .relaxed) }
    }

    /// The open sockets of `userId`, in the order they were opened.
    func sockets(of userId: Substring) -> [GatewaySocket] {
        guard count > 0 else { return [] }
        return sockets.withLock { $0[String(userId)] ?? [] }
    }
}
