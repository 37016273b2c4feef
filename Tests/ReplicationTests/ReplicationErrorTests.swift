import Testing
@testable import Replication

@Test func replicationErrorDescribesItself() {
    #expect(ReplicationError(.peerUnreachable, "x").description == "peer_unreachable: x")
    #expect(ReplicationError(.peerUnreachable, "x").isTransient)
    #expect(!ReplicationError(.databaseNotFound, "x").isTransient)
}
