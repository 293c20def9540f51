"""The Identity Service WSDL (SOAP 1.1, document/literal). No Django.

``soap:address`` is the URL the service is served at, so clients such as zeep (which post
to that address) reach the host that served the WSDL.

Faults (faultcode, detail ``CampusFault/code``):

============================= ====================== =========================================
faultcode                     detail code            meaning
============================= ====================== =========================================
wsse:InvalidSecurity          MissingSecurityHeader  Authenticate without a UsernameToken
wsse:InvalidSecurityToken     InvalidSecurityToken   token lacks Nonce/Created/Username
wsse:FailedAuthentication     InvalidCredentials     unknown user or wrong password
wsse:MessageExpired           MessageExpired         Created outside the 5-minute window
tns:NonceReplayed             NonceReplayed          a nonce seen before
tns:InvalidSession            InvalidSession         sessionID missing or unknown
tns:SessionExpired            SessionExpired         sessionID expired: authenticate again
tns:PersonNotFound            PersonNotFound         no person with that personID
tns:RateLimited (HTTP 429)    RateLimited            slow down; see retryAfterSeconds
soap:Client                   MalformedRequest       bad XML, DTD/XXE, unknown operation
soap:Server                   InternalError          the server failed
============================= ====================== =========================================
"""

from xml.sax.saxutils import quoteattr

from sandbox.soap.envelope import TNS

SERVICE_NAME = "IdentityService"

_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="IdentityService"
    targetNamespace="{tns}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{tns}">
  <wsdl:documentation>Campus sandbox Identity Service. Authenticate with a WS-Security
  UsernameToken (PasswordText or PasswordDigest) for a sessionID valid 30 minutes, then
  read persons with GetPerson.</wsdl:documentation>
  <wsdl:types>
    <xsd:schema targetNamespace="{tns}" elementFormDefault="qualified">
      <xsd:complexType name="Assignment">
        <xsd:sequence>
          <xsd:element name="schoolNumber" type="xsd:string"/>
          <xsd:element name="schoolName" type="xsd:string" minOccurs="0"/>
          <xsd:element name="assignmentCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="titleCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="startDate" type="xsd:date"/>
          <xsd:element name="endDate" type="xsd:date" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="AssignmentList">
        <xsd:sequence>
          <xsd:element name="assignment" type="tns:Assignment" minOccurs="0"
              maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Person">
        <xsd:sequence>
          <xsd:element name="personID" type="xsd:long"/>
          <xsd:element name="staffNumber" type="xsd:string"/>
          <xsd:element name="firstName" type="xsd:string"/>
          <xsd:element name="lastName" type="xsd:string"/>
          <xsd:element name="middleName" type="xsd:string" minOccurs="0"/>
          <xsd:element name="birthDate" type="xsd:date" minOccurs="0"/>
          <xsd:element name="gender" type="xsd:string" minOccurs="0"/>
          <xsd:element name="workEmail" type="xsd:string" minOccurs="0"/>
          <xsd:element name="personalEmail" type="xsd:string" minOccurs="0"/>
          <xsd:element name="workPhone" type="xsd:string" minOccurs="0"/>
          <xsd:element name="isStaff" type="xsd:boolean"/>
          <xsd:element name="dateModified" type="xsd:dateTime"/>
          <xsd:element name="assignments" type="tns:AssignmentList"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="AuthenticateRequest">
        <xsd:complexType><xsd:sequence/></xsd:complexType>
      </xsd:element>
      <xsd:element name="AuthenticateResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="sessionID" type="xsd:string"/>
            <xsd:element name="expiresAt" type="xsd:dateTime"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetPersonRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="personID" type="xsd:long"/>
            <xsd:element name="sessionID" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetPersonResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="person" type="tns:Person"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="CampusFault">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="code" type="xsd:string"/>
            <xsd:element name="retryAfterSeconds" type="xsd:int" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="AuthenticateInput">
    <wsdl:part name="parameters" element="tns:AuthenticateRequest"/>
  </wsdl:message>
  <wsdl:message name="AuthenticateOutput">
    <wsdl:part name="parameters" element="tns:AuthenticateResponse"/>
  </wsdl:message>
  <wsdl:message name="GetPersonInput">
    <wsdl:part name="parameters" element="tns:GetPersonRequest"/>
  </wsdl:message>
  <wsdl:message name="GetPersonOutput">
    <wsdl:part name="parameters" element="tns:GetPersonResponse"/>
  </wsdl:message>
  <wsdl:message name="CampusFaultMessage">
    <wsdl:part name="fault" element="tns:CampusFault"/>
  </wsdl:message>
  <wsdl:portType name="IdentityServicePortType">
    <wsdl:operation name="Authenticate">
      <wsdl:input message="tns:AuthenticateInput"/>
      <wsdl:output message="tns:AuthenticateOutput"/>
      <wsdl:fault name="CampusFault" message="tns:CampusFaultMessage"/>
    </wsdl:operation>
    <wsdl:operation name="GetPerson">
      <wsdl:input message="tns:GetPersonInput"/>
      <wsdl:output message="tns:GetPersonOutput"/>
      <wsdl:fault name="CampusFault" message="tns:CampusFaultMessage"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="IdentityServiceBinding" type="tns:IdentityServicePortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Authenticate">
      <soap:operation soapAction="{tns}#Authenticate" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="CampusFault"><soap:fault name="CampusFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="GetPerson">
      <soap:operation soapAction="{tns}#GetPerson" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="CampusFault"><soap:fault name="CampusFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="IdentityService">
    <wsdl:port name="IdentityServicePort" binding="tns:IdentityServiceBinding">
      <soap:address location={address}/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def wsdl(address: str) -> bytes:
    """The WSDL with ``soap:address`` at ``address`` (an absolute URL)."""
    return _TEMPLATE.format(tns=TNS, address=quoteattr(address)).encode("utf-8")
