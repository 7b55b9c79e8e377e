/**
 * What `detect` says about a repository. The shapes are the builds API's, defined once in
 * @berth/contracts; the detectors here fill them in.
 */
export {
  type Command,
  DB_KINDS,
  type DbKind,
  type Detection,
  type DockerfileInfo,
  type Evidence,
  type Monorepo,
  type MonorepoPackage,
  type Stack,
  type Unsupported,
} from '@berth/contracts';
