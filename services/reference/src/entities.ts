import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One version of an administrative unit as stored. Dates are kept as `YYYY-MM-DD` text so that they
 * compare correctly as strings on every database and never shift with a time zone. `position` is the
 * unit's place in the loaded data: it orders listings, backs the pagination cursors and lets the
 * catalogue snapshot be rebuilt in exactly the order the data was loaded (the digest depends on it).
 */
@Entity({ tableName: 'unit_version' })
@Index({ name: 'unit_version_code_index', properties: ['code'] })
@Index({ name: 'unit_version_parent_index', properties: ['parentId'] })
export class UnitVersionEntity {
  @PrimaryKey({ type: 'string', length: 40 })
  id!: string;

  @Property({ type: 'integer', unique: 'unit_version_position_unique' })
  position!: number;

  @Property({ type: 'string', length: 20 })
  code!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'string', length: 255 })
  fullName!: string;

  @Property({ type: 'string', length: 255 })
  nameEn!: string;

  /** Lowercase, accent-free code and names, for search. */
  @Property({ type: 'text' })
  searchKey!: string;

  @Property({ type: 'string', length: 10 })
  level!: string;

  @Property({ type: 'string', length: 40 })
  kind!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  parentId!: string | null;

  @Property({ type: 'string', length: 10 })
  validFrom!: string;

  @Property({ type: 'string', length: 10, nullable: true })
  validTo!: string | null;
}

/** Territory passed from an old unit version to a new one, with the share of the old unit it carried. */
@Entity({ tableName: 'lineage_link' })
@Index({ name: 'lineage_link_from_index', properties: ['fromId'] })
@Index({ name: 'lineage_link_to_index', properties: ['toId'] })
export class LineageLinkEntity {
  /** The link's place in the loaded data (not generated, so a reload reproduces the same rows). */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  position!: number;

  @Property({ type: 'string', length: 40 })
  fromId!: string;

  @Property({ type: 'string', length: 40 })
  toId!: string;

  @Property({ type: 'double' })
  share!: number;
}

/** What was loaded and when: one row per data set (today only the administrative units). */
@Entity({ tableName: 'reference_meta' })
export class ReferenceMetaEntity {
  @PrimaryKey({ type: 'string', length: 40 })
  name!: string;

  @Property({ type: 'string', length: 64 })
  digest!: string;

  /** ISO timestamp of the load. */
  @Property({ type: 'string', length: 30 })
  loadedAt!: string;

  @Property({ type: 'integer' })
  units!: number;

  @Property({ type: 'integer' })
  links!: number;

  /** How long the load transaction took, in milliseconds. */
  @Property({ type: 'integer' })
  loadMs!: number;
}

export const ENTITIES = [UnitVersionEntity, LineageLinkEntity, ReferenceMetaEntity];

/** The meta row of the administrative-unit data. */
export const ADMIN_UNITS_META = 'admin-units';
