package nl.berichtenbox.engine.domain;

/** The ten processing outcomes of the contract (§2.3); the names are the wire values. */
public enum VerwerkingsCode {
  Verwerkt,
  NietActiefOfGeabonneerd,
  BerichtTypeNietOndersteund,
  PublicatieDatumLigtTeVerInDeToekomst,
  AanmaakDatumLigtTeVerInHetVerleden,
  BerichtBestaatAl,
  BijlageTeGroot,
  OinKomtNietOvereen,
  ValidatieFout,
  TechnischProbleem
}
