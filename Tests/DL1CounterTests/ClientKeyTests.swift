@testable import DL1HTTPServer
import NIOCore
import Testing

@Suite("Rate-limit keys")
struct ClientKeyTests {
    @Test("An IPv4 client is its address; an IPv6 client is its /64, so that one subscriber's addresses share one allowance")
    func keys() throws {
        func key(_ ip: String) throws -> String { ServiceRequestContext.clientKey(try SocketAddress(ipAddress: ip, port: 443)) }
        #expect(try key("203.0.113.7") == "203.0.113.7")
        #expect(try key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(try key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64")
        #expect(try key("2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(try key("::1") == "0:0:0:0::/64")
        #expect(try key("::ffff:203.0.113.7") == "::ffff:203.0.113.7")
        #expect(ServiceRequestContext.clientKey(nil) == "unknown")
    }

    @Test("IPv6 text to its eight groups; anything else is not one")
    func groups() {
        #expect(ServiceRequestContext.ipv6Groups("2001:db8::1") == [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])
        #expect(ServiceRequestContext.ipv6Groups("::") == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(ServiceRequestContext.ipv6Groups("fe80::1%eth0") == [0xfe80, 0, 0, 0, 0, 0, 0, 1])
        #expect(ServiceRequestContext.ipv6Groups("1:2:3:4:5:6:7:8") == [1, 2, 3, 4, 5, 6, 7, 8])
        for bad in ["1:2:3:4:5:6:7", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "g::1", "1:::2"] {
            #expect(ServiceRequestContext.ipv6Groups(bad) == nil, "\(bad)")
        }
    }
}
