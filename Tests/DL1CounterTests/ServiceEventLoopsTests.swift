@testable import DL1HTTPServer
import Testing

@Suite("Service event loops")
struct ServiceEventLoopsTests {
    @Test("One loop per CPU of the process's affinity, read from /proc/self/status")
    func allowedCPUs() {
        let status = { (list: String) in "Name:\tdl-verify\nCpus_allowed:\t1\nCpus_allowed_list:\t\(list)\nMems_allowed:\t1\n" }
        #expect(ServiceEventLoops.allowedCPUs(procStatus: status("0")) == 1)
        #expect(ServiceEventLoops.allowedCPUs(procStatus: status("0-3")) == 4)
        #expect(ServiceEventLoops.allowedCPUs(procStatus: status("0,2,4-7")) == 6)
        for bad in ["", "x", "3-1", "0-", "1-2-3", "0,,1"] {
            #expect(ServiceEventLoops.allowedCPUs(procStatus: status(bad)) == nil, "\(bad)")
        }
        #expect(ServiceEventLoops.allowedCPUs(procStatus: "Name:\tx\n") == nil)
    }
}
