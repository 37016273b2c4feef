import Testing
@testable import Replication

@Test func replicationErrorDescribesItself() {
    #expect(ReplicationError(.peerUnreachable, "x").description == "peer_unreachable: x")
}
