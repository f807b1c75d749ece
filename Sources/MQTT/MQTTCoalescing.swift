/// How publishes to one topic are joined while an earlier one to that topic awaits its acknowledgement.
///
/// A topic with coalescing has at most one publish in flight. What is published to it meanwhile waits,
/// and leaves joined into one publish when the acknowledgement comes. An idle broker acknowledges within
/// a fraction of a millisecond, so nothing waits longer than that; a busy one acknowledges later and gets
/// fewer, larger publishes, so its work per message shrinks as its load grows. Order is kept: the joined
/// payloads are in publish order, after everything published to the topic before them.
public struct MQTTCoalescing: Sendable {
    /// Joins two or more payloads, oldest first, into one.
    public var join: @Sendable ([[UInt8]]) -> [UInt8]
    /// The most bytes of payloads joined into one publish; a payload larger than this leaves alone.
    public var maxBytes: Int

    public init(maxBytes: Int, join: @escaping @Sendable ([[UInt8]]) -> [UInt8]) {
        self.join = join
        self.maxBytes = maxBytes
    }
}

/// The publishes of coalescing topics that wait for an acknowledgement, and the publishes that must
/// leave after them (part of `MQTTClient.State`).
struct CoalescingTopics {
    /// A busy topic: the payloads waiting behind its publish in flight, and the followers waiting for some
    /// of them, each with how many of the waiting payloads must leave first.
    struct Queue {
        var publishes: [OutgoingPublish] = []
        var followers: [(id: UInt64, after: Int)] = []
    }

    /// A publish that leaves once every topic it follows has sent what waited when it was published.
    private struct Follower {
        var publish: OutgoingPublish
        var topicsLeft: Int
    }

    /// Topics with a publish queued or in flight.
    private var waiting: [String: Queue] = [:]
    /// The topic of each coalescing publish libmosquitto holds, by message id.
    private var inFlight: [Int32: String] = [:]
    private var followers: [UInt64: Follower] = [:]
    private var nextFollower: UInt64 = 0

    /// Whether `publish` waits (its topic is busy); if not, the topic is busy from now on.
    mutating func holds(_ publish: OutgoingPublish) -> Bool {
        if waiting[publish.topic] != nil {
            waiting[publish.topic]!.publishes.append(publish)
            return true
        }
        waiting[publish.topic] = Queue()
        return false
    }

    /// Whether `publish` waits for payloads held on any of `topics`: it then leaves right after the last
    /// joined publish that carries one of them.
    mutating func holds(_ publish: OutgoingPublish, after topics: [String]) -> Bool {
        var held: [String] = []
        for topic in topics where waiting[topic].map({ !$0.publishes.isEmpty }) == true && !held.contains(topic) {
            held.append(topic)
        }
        guard !held.isEmpty else { return false }
        let id = nextFollower
        nextFollower += 1
        followers[id] = Follower(publish: publish, topicsLeft: held.count)
        for topic in held { waiting[topic]!.followers.append((id, waiting[topic]!.publishes.count)) }
        return true
    }

    /// Notes the message id libmosquitto gave a coalescing publish.
    mutating func sent(_ topic: String, mid: Int32) {
        inFlight[mid] = topic
    }

    /// The acknowledgement of `mid`: the joined publish to send next on its topic, if any waited, then the
    /// publishes that were waiting for it; the topic stays busy until the joined one is acknowledged too.
    mutating func acknowledged(mid: Int32) -> [OutgoingPublish] {
        guard let topic = inFlight.removeValue(forKey: mid) else { return [] }
        return release(topic)
    }

    /// A coalescing publish that could not be sent: the next one goes instead.
    mutating func failed(_ topic: String) -> [OutgoingPublish] {
        release(topic)
    }

    /// After a reconnect every topic is free: libmosquitto sends again what it held, ahead of anything new,
    /// so order holds, and an acknowledgement lost with a broker's session cannot stall a topic.
    mutating func reset() -> [OutgoingPublish] {
        inFlight.removeAll()
        var next: [OutgoingPublish] = []
        for topic in Array(waiting.keys) {
            while waiting[topic] != nil { next += release(topic) }
        }
        return next
    }

    var isEmpty: Bool { waiting.values.allSatisfy(\.publishes.isEmpty) }

    /// The next joined publish of `topic` and the followers it frees; the topic is free if nothing waited.
    private mutating func release(_ topic: String) -> [OutgoingPublish] {
        guard var queue = waiting[topic], let first = queue.publishes.first, let coalescing = first.coalescing else {
            waiting[topic] = nil
            return []
        }
        var bytes = first.payload.count
        var count = 1
        while count < queue.publishes.count && bytes + queue.publishes[count].payload.count <= coalescing.maxBytes {
            bytes += queue.publishes[count].payload.count
            count += 1
        }
        var joined = first
        if count > 1 { joined.payload = coalescing.join(queue.publishes.prefix(count).map(\.payload)) }
        queue.publishes.removeFirst(count)
        var next = [joined]
        var stillWaiting: [(id: UInt64, after: Int)] = []
        for (id, after) in queue.followers {
            if after > count {
                stillWaiting.append((id, after - count))
                continue
            }
            followers[id]!.topicsLeft -= 1
            if followers[id]!.topicsLeft == 0 { next.append(followers.removeValue(forKey: id)!.publish) }
        }
        queue.followers = stillWaiting
        waiting[topic] = queue
        return next
    }
}
