-- SPDX-License-Identifier: GPL-2.0-or-later
-- A small MCTP dissector for Wireshark/tshark versions without one (Debian
-- bookworm's 4.0 has none; Wireshark 4.2 and later have a built-in "mctp"
-- dissector, and this script then does nothing). It decodes what pccd's
-- --pcap writes: SLL2 protocol 0x00FA (ETH_P_MCTP) followed by an MCTP packet
-- (DSP0236 transport header), MCTP control (type 0) and PLDM (type 1) headers.
--
--   tshark -X lua_script:pccd/tools/mctp.lua -r capture.pcapng -V

local has_builtin, builtin = pcall(Dissector.get, "mctp")
if has_builtin and builtin ~= nil then
    return
end

local p = Proto("pccd_mctp", "Management Component Transport Protocol")

local control_commands = {
    [0x01] = "Set Endpoint ID", [0x02] = "Get Endpoint ID", [0x03] = "Get Endpoint UUID",
    [0x04] = "Get MCTP Version Support", [0x05] = "Get Message Type Support",
    [0x06] = "Get Vendor Defined Message Support", [0x07] = "Resolve Endpoint ID",
    [0x08] = "Allocate Endpoint IDs", [0x09] = "Routing Information Update",
    [0x0a] = "Get Routing Table Entries", [0x0b] = "Prepare for Endpoint Discovery",
    [0x0c] = "Endpoint Discovery", [0x0d] = "Discovery Notify", [0x0e] = "Get Network ID",
    [0x0f] = "Query Hop",
}
local message_types = {
    [0] = "MCTP Control", [1] = "PLDM", [2] = "NC-SI", [3] = "Ethernet", [4] = "NVMe-MI",
    [5] = "SPDM", [6] = "Secured Messages", [7] = "CXL FM API", [8] = "CXL CCI",
    [0x7e] = "Vendor Defined - PCI", [0x7f] = "Vendor Defined - IANA",
}
local pldm_base_commands = {
    [0x01] = "SetTID", [0x02] = "GetTID", [0x03] = "GetPLDMVersion", [0x04] = "GetPLDMTypes",
    [0x05] = "GetPLDMCommands",
}

local f = {
    version = ProtoField.uint8("pccd_mctp.hdr_version", "Header version", base.DEC, nil, 0x0f),
    dest = ProtoField.uint8("pccd_mctp.dst", "Destination EID", base.HEX),
    src = ProtoField.uint8("pccd_mctp.src", "Source EID", base.HEX),
    som = ProtoField.bool("pccd_mctp.som", "Start of message", 8, nil, 0x80),
    eom = ProtoField.bool("pccd_mctp.eom", "End of message", 8, nil, 0x40),
    seq = ProtoField.uint8("pccd_mctp.seq", "Packet sequence", base.DEC, nil, 0x30),
    to = ProtoField.bool("pccd_mctp.tag_owner", "Tag owner", 8, nil, 0x08),
    tag = ProtoField.uint8("pccd_mctp.tag", "Message tag", base.DEC, nil, 0x07),
    ic = ProtoField.bool("pccd_mctp.ic", "Integrity check", 8, nil, 0x80),
    type = ProtoField.uint8("pccd_mctp.type", "Message type", base.HEX, message_types, 0x7f),
    rq = ProtoField.bool("pccd_mctp.rq", "Request", 8, nil, 0x80),
    d = ProtoField.bool("pccd_mctp.datagram", "Datagram", 8, nil, 0x40),
    iid = ProtoField.uint8("pccd_mctp.instance", "Instance ID", base.DEC, nil, 0x1f),
    ctrl_cmd = ProtoField.uint8("pccd_mctp.control.command", "Command", base.HEX, control_commands),
    cc = ProtoField.uint8("pccd_mctp.completion_code", "Completion code", base.HEX),
    pldm_hdr = ProtoField.uint8("pccd_mctp.pldm.hdr_version", "PLDM header version", base.DEC, nil, 0xc0),
    pldm_type = ProtoField.uint8("pccd_mctp.pldm.type", "PLDM type", base.DEC, nil, 0x3f),
    pldm_cmd = ProtoField.uint8("pccd_mctp.pldm.command", "PLDM command", base.HEX),
    data = ProtoField.bytes("pccd_mctp.data", "Data"),
}
p.fields = { f.version, f.dest, f.src, f.som, f.eom, f.seq, f.to, f.tag, f.ic, f.type, f.rq,
             f.d, f.iid, f.ctrl_cmd, f.cc, f.pldm_hdr, f.pldm_type, f.pldm_cmd, f.data }

function p.dissector(buf, pinfo, tree)
    if buf:len() < 4 then
        return 0
    end
    pinfo.cols.protocol = "MCTP"
    local t = tree:add(p, buf(), "Management Component Transport Protocol")
    t:add(f.version, buf(0, 1))
    t:add(f.dest, buf(1, 1))
    t:add(f.src, buf(2, 1))
    local flags = buf(3, 1)
    t:add(f.som, flags); t:add(f.eom, flags); t:add(f.seq, flags); t:add(f.to, flags); t:add(f.tag, flags)
    local info = string.format("%d -> %d", buf(2, 1):uint(), buf(1, 1):uint())
    if bit.band(flags:uint(), 0x80) == 0 or buf:len() < 5 then
        pinfo.cols.info = info .. " (continuation)"
        return buf:len()
    end
    t:add(f.ic, buf(4, 1))
    t:add(f.type, buf(4, 1))
    local mtype = bit.band(buf(4, 1):uint(), 0x7f)
    info = info .. " " .. (message_types[mtype] or string.format("type 0x%02x", mtype))
    if mtype == 0 and buf:len() >= 7 then
        local c = t:add(buf(4), "MCTP Control")
        c:add(f.rq, buf(5, 1)); c:add(f.d, buf(5, 1)); c:add(f.iid, buf(5, 1))
        c:add(f.ctrl_cmd, buf(6, 1))
        local rq = bit.band(buf(5, 1):uint(), 0x80) ~= 0
        local name = control_commands[buf(6, 1):uint()] or string.format("0x%02x", buf(6, 1):uint())
        info = info .. " " .. name .. (rq and " request" or " response")
        local at = 7
        if not rq and buf:len() >= 8 then
            c:add(f.cc, buf(7, 1)); at = 8
        end
        if buf:len() > at then c:add(f.data, buf(at)) end
    elseif mtype == 1 and buf:len() >= 8 then
        local c = t:add(buf(4), "PLDM")
        c:add(f.rq, buf(5, 1)); c:add(f.d, buf(5, 1)); c:add(f.iid, buf(5, 1))
        c:add(f.pldm_hdr, buf(6, 1)); c:add(f.pldm_type, buf(6, 1)); c:add(f.pldm_cmd, buf(7, 1))
        local rq = bit.band(buf(5, 1):uint(), 0x80) ~= 0
        local ptype = bit.band(buf(6, 1):uint(), 0x3f)
        local name = (ptype == 0 and pldm_base_commands[buf(7, 1):uint()]) or string.format("0x%02x", buf(7, 1):uint())
        info = info .. " " .. name .. (rq and " request" or " response")
        local at = 8
        if not rq and buf:len() >= 9 then
            c:add(f.cc, buf(8, 1)); at = 9
        end
        if buf:len() > at then c:add(f.data, buf(at)) end
    elseif buf:len() > 5 then
        t:add(f.data, buf(5))
    end
    pinfo.cols.info = info
    return buf:len()
end

DissectorTable.get("sll.ltype"):add(0x00fa, p)
